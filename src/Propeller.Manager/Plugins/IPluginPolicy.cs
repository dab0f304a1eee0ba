using Propeller.Manager.Tasks;

namespace Propeller.Manager.Plugins;

/// <summary>
/// The plugin checks that code creating or changing tasks calls (manager-reference §9). With no plugins loaded
/// both are no-ops. Workflows and jobs call them for each task they create when they do not go through
/// <see cref="TaskService.CreateAsync"/>, which already does.
/// </summary>
internal interface IPluginPolicy
{
    /// <summary>
    /// Asks every plugin's <c>authorize</c> hook, in order; the first refusal (or failure: plugins fail closed)
    /// throws <see cref="Errors.PluginDeniedException"/>. <paramref name="action"/> is one of <see cref="PluginActions"/>.
    /// </summary>
    Task AuthorizeAsync(string action, PropellerTask task, CancellationToken cancellationToken);

    /// <summary>Applies every plugin's <c>enrich_task</c> answer; a failing plugin is logged and skipped.</summary>
    Task<PropellerTask> EnrichAsync(PropellerTask task, CancellationToken cancellationToken);
}
