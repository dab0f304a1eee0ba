namespace Propeller.Manager.Storage;

/// <summary>One storage backend: its repositories and its schema set-up.</summary>
internal interface IPropellerStore : IAsyncDisposable
{
    ITaskRepository Tasks { get; }

    IPropletRepository Proplets { get; }

    ITaskPropletRepository TaskProplets { get; }

    IMetricsRepository Metrics { get; }

    IJobRepository Jobs { get; }

    /// <summary>Creates or migrates the schema; safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}
