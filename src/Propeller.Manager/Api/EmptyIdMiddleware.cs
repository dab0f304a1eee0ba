using Microsoft.AspNetCore.Http;

namespace Propeller.Manager.Api;

/// <summary>
/// <c>/proplets//sdf</c> and <c>/tasks//start</c> name an empty id; the original answers 400, while routing
/// alone would say 404 because a route parameter never matches an empty segment.
/// </summary>
internal sealed class EmptyIdMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "";
        foreach (var collection in (ReadOnlySpan<string>)["/proplets//", "/tasks//"])
        {
            if (path.StartsWith(collection, StringComparison.Ordinal))
            {
                return ApiResults.WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"missing {collection.Trim('/')[..^1]} id");
            }
        }

        return next(context);
    }
}
