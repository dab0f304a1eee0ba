using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Propeller.Contracts.Api;
using Propeller.Contracts.Serialization;

namespace Propeller.Manager.Api;

/// <summary>Responses written with the source-generated JSON context, so field names are always the wire names.</summary>
internal static class ApiResults
{
    public static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, typeInfo, "application/json", statusCode);

    public static IResult Created<T>(string location, T value, JsonTypeInfo<T> typeInfo) =>
        new CreatedJson<T>(location, value, typeInfo);

    public static IResult Document(JsonNode document) =>
        Results.Text(document.ToJsonString(), "application/json", System.Text.Encoding.UTF8);

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse(message), PropellerJsonContext.Default.ErrorResponse, context.RequestAborted);
    }

    /// <summary>201 with a <c>Location</c> header.</summary>
    private sealed class CreatedJson<T>(string location, T value, JsonTypeInfo<T> typeInfo) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Json(value, typeInfo, StatusCodes.Status201Created).ExecuteAsync(httpContext);
        }
    }
}
