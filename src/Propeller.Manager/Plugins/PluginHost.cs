using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Errors;
using Propeller.Manager.Hosting;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Plugins;

/// <summary>
/// Runs the loaded plugins' hooks in load order and merges their answers by the rules of manager-reference §9:
/// the first refusal wins; enrich env later wins, priority last non-null, inputs appended without duplicates,
/// image_url last non-empty; select tags unioned and memory minimum the largest; dispatch env merged.
/// </summary>
/// <remarks>
/// Gating hooks (authorize, select, dispatch) fail closed: a plugin that traps, times out or answers nonsense
/// refuses. Enrichment and notifications only log a failing plugin. Notifications run in the background; disposal
/// waits for them before the plugins go away.
/// </remarks>
internal sealed partial class PluginHost : IPluginPolicy, IDisposable
{
    public const string DefaultDenial = "denied by plugin";
    public const string DefaultSelectDenial = "proplet selection blocked by plugin";
    public const string DefaultDispatchDenial = "dispatch blocked by plugin";

    private static readonly PluginJsonContext Json = PluginJsonContext.Default;

    private readonly IReadOnlyList<WasmPlugin> _plugins;
    private readonly Func<string?> _user;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<Task, byte> _notifications = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    public PluginHost(ManagerOptions options, PluginUser user, ILogger<PluginHost> logger)
        : this(PluginLoader.Load(options?.PluginDir, options!.PluginTimeout, logger), () => user?.Current, options.PluginTimeout, logger)
    {
    }

    internal PluginHost(IReadOnlyList<WasmPlugin> plugins, Func<string?> user, TimeSpan timeout, ILogger logger)
    {
        _plugins = plugins;
        _user = user;
        _timeout = timeout;
        _logger = logger;
    }

    public IReadOnlyList<WasmPlugin> Plugins => _plugins;

    public async Task AuthorizeAsync(string action, PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Has(WasmPlugin.Authorize))
        {
            return;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new TaskRequest(Context(action), TaskInfo.From(task)), Json.TaskRequest);
        foreach (var plugin in _plugins)
        {
            var answer = await AskAsync(plugin, WasmPlugin.Authorize, request, Json.AuthorizeResponse, cancellationToken).ConfigureAwait(false);
            if (answer is { Allow: false })
            {
                var reason = string.IsNullOrEmpty(answer.Reason) ? DefaultDenial : answer.Reason;
                Log.Denied(_logger, plugin.Name, action, task.Id, reason);
                throw new PluginDeniedException(reason);
            }
        }
    }

    public async Task<PropellerTask> EnrichAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Has(WasmPlugin.EnrichTask))
        {
            return task;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new TaskRequest(Context(PluginActions.Create), TaskInfo.From(task)), Json.TaskRequest);
        var enriched = task;
        foreach (var plugin in _plugins)
        {
            EnrichResponse? answer;
            try
            {
                answer = await AskAsync(plugin, WasmPlugin.EnrichTask, request, Json.EnrichResponse, cancellationToken).ConfigureAwait(false);
            }
            catch (PluginDeniedException e)
            {
                Log.EnrichFailed(_logger, plugin.Name, task.Id, e.Message);
                continue;
            }

            if (answer is not null)
            {
                enriched = Apply(plugin.Name, enriched, answer);
            }
        }

        if (!ReferenceEquals(enriched, task))
        {
            Log.Enriched(_logger, task.Id);
        }

        return enriched;
    }

    /// <summary>The constraints for an auto-placed, non-broadcast task; a refusal throws <see cref="PluginDeniedException"/>.</summary>
    public async Task<PlacementConstraints> BeforePropletSelectAsync(PropellerTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Has(WasmPlugin.OnBeforePropletSelect))
        {
            return PlacementConstraints.None;
        }

        var request = JsonSerializer.SerializeToUtf8Bytes(new TaskRequest(Context(PluginActions.Start), TaskInfo.From(task)), Json.TaskRequest);
        var tags = new List<string>();
        ulong minMemory = 0;
        foreach (var plugin in _plugins)
        {
            var answer = await AskAsync(plugin, WasmPlugin.OnBeforePropletSelect, request, Json.SelectResponse, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                continue;
            }

            if (!answer.Allow)
            {
                var reason = string.IsNullOrEmpty(answer.Reason) ? DefaultSelectDenial : answer.Reason;
                Log.Denied(_logger, plugin.Name, WasmPlugin.OnBeforePropletSelect, task.Id, reason);
                throw new PluginDeniedException(reason);
            }

            tags.AddRange((answer.RequiredTags ?? []).Where(t => !string.IsNullOrEmpty(t) && !tags.Contains(t, StringComparer.Ordinal)));
            minMemory = Math.Max(minMemory, answer.MinMemoryBytes ?? 0);
        }

        return tags.Count == 0 && minMemory == 0 ? PlacementConstraints.None : new PlacementConstraints(tags, minMemory);
    }

    /// <summary>
    /// Asks <c>on_before_dispatch</c> about the chosen proplet and returns the task with every plugin's
    /// <c>extra_env</c> merged into its env (later plugins win); a refusal throws <see cref="PluginDeniedException"/>.
    /// </summary>
    public async Task<PropellerTask> BeforeDispatchAsync(PropellerTask task, Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(proplet);
        if (!Has(WasmPlugin.OnBeforeDispatch))
        {
            return task;
        }

        var info = new PropletInfo(
            proplet.Id,
            proplet.Name,
            proplet.Metadata?.Tags is { Count: > 0 } tags ? tags : null,
            proplet.Metadata?.TotalMemoryBytes is > 0 and var memory ? memory : null,
            string.IsNullOrEmpty(proplet.Metadata?.Location) ? null : proplet.Metadata.Location);
        var request = JsonSerializer.SerializeToUtf8Bytes(new DispatchRequest(Context(PluginActions.Start), TaskInfo.From(task), info), Json.DispatchRequest);
        Dictionary<string, string>? extra = null;
        foreach (var plugin in _plugins)
        {
            var answer = await AskAsync(plugin, WasmPlugin.OnBeforeDispatch, request, Json.DispatchResponse, cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                continue;
            }

            if (!answer.Allow)
            {
                var reason = string.IsNullOrEmpty(answer.Reason) ? DefaultDispatchDenial : answer.Reason;
                Log.Denied(_logger, plugin.Name, WasmPlugin.OnBeforeDispatch, task.Id, reason);
                throw new PluginDeniedException(reason);
            }

            foreach (var (key, value) in answer.ExtraEnv ?? new Dictionary<string, string>())
            {
                (extra ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
            }
        }

        return extra is null ? task : task with { Env = Merge(task.Env, extra) };
    }

    /// <summary>Tells <c>on_task_start</c> hooks, in the background, that a task started.</summary>
    public void NotifyTaskStart(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (Has(WasmPlugin.OnTaskStart))
        {
            Notify(WasmPlugin.OnTaskStart, task.Id, JsonSerializer.SerializeToUtf8Bytes(new TaskStartEvent(TaskInfo.From(task)), Json.TaskStartEvent));
        }
    }

    /// <summary>Notifies <c>on_task_start</c> hooks about <paramref name="task"/> and returns it, for call sites that return the started task.</summary>
    public PropellerTask NotifiedStart(PropellerTask task)
    {
        NotifyTaskStart(task);
        return task;
    }

    /// <summary>Tells <c>on_task_complete</c> hooks, in the background, how a task finished.</summary>
    public void NotifyTaskComplete(PropellerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (Has(WasmPlugin.OnTaskComplete))
        {
            var message = new TaskCompleteEvent(TaskInfo.From(task), task.State == Contracts.Messages.TaskState.Completed, string.IsNullOrEmpty(task.Error) ? null : task.Error);
            Notify(WasmPlugin.OnTaskComplete, task.Id, JsonSerializer.SerializeToUtf8Bytes(message, Json.TaskCompleteEvent));
        }
    }

    /// <summary>Waits (bounded) for running notifications, then releases every plugin.</summary>
    public void Dispose()
    {
        // Registered both as itself and as IPluginPolicy, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var pending = _notifications.Keys.ToArray();
        try
        {
            Task.WaitAll(pending, (_timeout * Math.Max(1, _plugins.Count)) + TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Notification failures are logged where they happen.
        }

        _stopping.Cancel();
        foreach (var plugin in _plugins)
        {
            plugin.Dispose();
        }

        _stopping.Dispose();
    }

    private PropellerTask Apply(string plugin, PropellerTask task, EnrichResponse answer)
    {
        var inputs = task.Inputs;
        foreach (var input in answer.Inputs ?? [])
        {
            if (inputs is null || !inputs.Contains(input, StringComparer.Ordinal))
            {
                inputs = [.. inputs ?? [], input];
            }
        }

        int? priority = answer.Priority;
        if (priority is < 0 or > 100)
        {
            // Not fatal: the plugin's other answers still apply.
            Log.PriorityIgnored(_logger, plugin, task.Id, priority.Value);
            priority = null;
        }

        return task with
        {
            Env = answer.Env is { Count: > 0 } env ? Merge(task.Env, env) : task.Env,
            Priority = priority ?? task.Priority,
            Inputs = inputs,
            ImageUrl = string.IsNullOrEmpty(answer.ImageUrl) ? task.ImageUrl : answer.ImageUrl,
        };
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? env, IReadOnlyDictionary<string, string> extra)
    {
        var merged = env is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(env, StringComparer.Ordinal);
        foreach (var (key, value) in extra)
        {
            merged[key] = value;
        }

        return merged;
    }

    private bool Has(string hook) => _plugins.Any(p => p.Hooks.Contains(hook));

    private PluginContext Context(string action) => new(_user(), action);

    /// <summary>
    /// One call and its parsed answer (null: no hook or the default answer). A failed call or a malformed answer
    /// throws <see cref="PluginDeniedException"/> naming the plugin and hook.
    /// </summary>
    private async Task<T?> AskAsync<T>(WasmPlugin plugin, string hook, byte[] request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var answer = await plugin.CallAsync(hook, request, cancellationToken).ConfigureAwait(false);
            return answer is null or { Length: 0 } ? null : JsonSerializer.Deserialize(answer, type);
        }
        catch (Exception e) when (e is PluginCallException or JsonException or ObjectDisposedException)
        {
            var why = e is JsonException ? $"invalid answer: {e.Message}" : e.Message;
            Log.CallFailed(_logger, plugin.Name, hook, why);
            throw new PluginDeniedException($"plugin {plugin.Name} {hook}: {why}", e);
        }
    }

    private void Notify(string hook, string taskId, byte[] request)
    {
        var token = _stopping.Token;
        var notification = Task.Run(
            async () =>
            {
                foreach (var plugin in _plugins)
                {
                    try
                    {
                        await plugin.CallAsync(hook, request, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is PluginCallException or ObjectDisposedException or OperationCanceledException)
                    {
                        Log.NotificationFailed(_logger, plugin.Name, hook, taskId, e.Message);
                    }
                }
            },
            CancellationToken.None);
        _notifications.TryAdd(notification, 0);
        notification.ContinueWith(t => _notifications.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
