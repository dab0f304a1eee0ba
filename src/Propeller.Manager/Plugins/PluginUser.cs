using Microsoft.AspNetCore.Http;

namespace Propeller.Manager.Plugins;

/// <summary>
/// The <c>context.user_id</c> plugins see. The manager has no user accounts: a REST call carries the
/// <c>X-User-Id</c> header when present (the original's convention, set by an authenticating proxy in front of it)
/// and no user otherwise; work the manager starts by itself (cron, workflows, MQTT) runs as <c>"system"</c>.
/// </summary>
internal sealed class PluginUser(IHttpContextAccessor accessor)
{
    public const string System = "system";
    public const string Header = "X-User-Id";

    public string? Current => accessor.HttpContext is { } context
        ? (context.Request.Headers[Header].ToString() is { Length: > 0 } user ? user : null)
        : System;
}
