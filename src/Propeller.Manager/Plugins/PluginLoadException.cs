namespace Propeller.Manager.Plugins;

/// <summary>A plugin file could not be loaded: not valid Wasm, or a required export is missing or has the wrong type.</summary>
internal sealed class PluginLoadException : Exception
{
    public PluginLoadException()
    {
    }

    public PluginLoadException(string message)
        : base(message)
    {
    }

    public PluginLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
