namespace Propeller.Proplet.Runtimes;

/// <summary>A task failed; <see cref="Exception.Message"/> is the error text published to the manager.</summary>
internal sealed class WasmExecutionException : Exception
{
    public WasmExecutionException()
    {
    }

    public WasmExecutionException(string message)
        : base(message)
    {
    }

    public WasmExecutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
