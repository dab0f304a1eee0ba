using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Mqtt;
using Propeller.Manager.Errors;
using Propeller.Manager.Scheduling;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Api;

/// <summary>
/// Turns every exception into <c>{"error": "..."}</c> with the status of DECISIONS §4 Manager 3. Only real faults
/// are 500, and those are logged with their stack; the host keeps running.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var (status, message) = Classify(ex);
            if (status >= StatusCodes.Status500InternalServerError && ex is not (MqttPublishException or ServiceShuttingDownException or InvocationFailedException or InvocationTimeoutException))
            {
                Log.UnhandledException(logger, context.Request.Method, context.Request.Path, ex);
            }

            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            await ApiResults.WriteErrorAsync(context, status, message).ConfigureAwait(false);
        }
    }

    private static (int Status, string Message) Classify(Exception exception) => exception switch
    {
        InvalidRequestException or JsonException or InvalidDataException => (StatusCodes.Status400BadRequest, exception.Message),
        BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "request body too large" : bad.Message),
        EntityNotFoundException => (StatusCodes.Status404NotFound, exception.Message),
        EntityConflictException or PropletSelectionException => (StatusCodes.Status409Conflict, exception.Message),
        UnprocessableRequestException or Workflows.DagValidationException => (StatusCodes.Status422UnprocessableEntity, exception.Message),
        PluginDeniedException => (StatusCodes.Status403Forbidden, exception.Message),
        ServiceShuttingDownException => (StatusCodes.Status503ServiceUnavailable, exception.Message),
        InvocationFailedException => (StatusCodes.Status502BadGateway, exception.Message),
        InvocationTimeoutException => (StatusCodes.Status504GatewayTimeout, exception.Message),
        MqttPublishException => (StatusCodes.Status500InternalServerError, exception.Message),
        _ => (StatusCodes.Status500InternalServerError, "internal server error"),
    };
}
