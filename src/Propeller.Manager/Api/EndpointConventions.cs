using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Propeller.Contracts.Api;

namespace Propeller.Manager.Api;

/// <summary>
/// OpenAPI descriptions of what a route reads and answers. Request bodies are described in the document only:
/// <c>Accepts</c> metadata would make routing answer 415, where the API must answer 400 "unsupported content type".
/// </summary>
internal static class EndpointConventions
{
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statusCodes)
        {
            builder.Produces<ErrorResponse>(status, "application/json");
        }

        return builder;
    }

    public static RouteHandlerBuilder DocumentsBody<T>(this RouteHandlerBuilder builder, string contentType, bool required = true) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [contentType] = new() { Schema = schema } },
            };
        });
}
