namespace Propeller.Proxy.Fetching;

/// <summary>What became of a fetch request handed to the <see cref="FetchCoordinator"/>.</summary>
internal enum FetchAdmission
{
    /// <summary>A new job for the <c>app_name</c> was queued.</summary>
    Queued,

    /// <summary>The job for the <c>app_name</c> had not begun publishing; the request shares its result.</summary>
    Joined,

    /// <summary>The job was already publishing; one more run follows it (this request may share an already scheduled one).</summary>
    RepublishScheduled,

    /// <summary>The queue is full; the request is refused.</summary>
    QueueFull,

    /// <summary>The proxy is shutting down and takes no new work.</summary>
    Stopping,
}
