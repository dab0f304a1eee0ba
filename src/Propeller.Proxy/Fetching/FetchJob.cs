namespace Propeller.Proxy.Fetching;

/// <summary>
/// The one job per <c>app_name</c>. Guarded by the coordinator's lock. Until the run freezes (it starts replying),
/// new requests join <see cref="Requesters"/>; afterwards they go to <see cref="Next"/>, which becomes one more run.
/// </summary>
internal sealed class FetchJob(string appName)
{
    public string AppName { get; } = appName;

    /// <summary>The <c>digest</c> each requester of the current run holds (null: none).</summary>
    public List<string?> Requesters { get; set; } = [];

    /// <summary>Requesters that arrived after the current run froze.</summary>
    public List<string?> Next { get; set; } = [];

    /// <summary>The current run has started replying; its requester list is final.</summary>
    public bool Frozen { get; set; }
}
