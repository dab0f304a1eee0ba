namespace Propeller.Manager.Plugins;

/// <summary>The <c>context.action</c> values an <c>authorize</c> hook sees (manager-reference §9).</summary>
internal static class PluginActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Invoke = "invoke";
}
