using Microsoft.Extensions.Logging;

namespace Propeller.Manager.Storage.Memory;

/// <summary>Keeps everything in process memory: the default backend, lost on restart.</summary>
internal sealed class MemoryStore : IPropellerStore
{
    private readonly ILogger<MemoryStore> _logger;

    public MemoryStore(ILogger<MemoryStore> logger)
    {
        _logger = logger;
        var state = new MemoryState();
        Tasks = new MemoryTaskRepository(state);
        Proplets = new MemoryPropletRepository(state);
        TaskProplets = new MemoryTaskPropletRepository(state);
        Metrics = new MemoryMetricsRepository(state);
        Jobs = new MemoryJobRepository(state);
    }

    public ITaskRepository Tasks { get; }

    public IPropletRepository Proplets { get; }

    public ITaskPropletRepository TaskProplets { get; }

    public IMetricsRepository Metrics { get; }

    public IJobRepository Jobs { get; }

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        _logger.MemoryStorageOpened();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
