namespace Propeller.Manager.Plugins;

/// <summary>A plugin call did not produce an answer: it trapped, ran out of time or memory, or broke the ABI (a pointer outside its memory, malformed JSON).</summary>
internal sealed class PluginCallException : Exception
{
    public PluginCallException()
    {
    }

    public PluginCallException(string message)
        : base(message)
    {
    }

    public PluginCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
