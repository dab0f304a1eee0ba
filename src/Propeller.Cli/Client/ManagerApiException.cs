using System.Net;

namespace Propeller.Cli.Client;

/// <summary>The manager answered with an error status; the message is its <c>error</c> text.</summary>
internal sealed class ManagerApiException : Exception
{
    public ManagerApiException(HttpStatusCode status, string message)
        : base(message) => Status = status;

    public HttpStatusCode Status { get; }
}
