using System.Text;
using Microsoft.Extensions.Logging;
using Propeller.Contracts.Messages;
using Propeller.Contracts.Topics;
using Propeller.Manager.Messaging;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Memory;
using Propeller.Manager.Tasks;
using Propeller.Testing;

namespace Propeller.Manager.Tests.Proplets;

/// <summary>
/// MQTT messages are handled concurrently, and a database read can take a while: what happens to a proplet must
/// still follow the order its messages arrived in.
/// </summary>
public sealed class PropletMessageOrderingTests : IAsyncDisposable
{
    private readonly TopicBuilder _topics = new("tenant", "channel");
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly MemoryStore _inner;
    private readonly PausingStore _store;
    private readonly PropletLocks _propletLocks = new();
    private readonly TaskLocks _taskLocks = new();
    private readonly ManagerMessageRouter _router;
    private readonly PropletService _service;

    public PropletMessageOrderingTests()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _inner = new MemoryStore(_loggerFactory.CreateLogger<MemoryStore>());
        _store = new PausingStore(_inner);
        var reports = new PropletReports(_store, _propletLocks, new DirectControlProplets(), TimeProvider.System, _loggerFactory.CreateLogger<PropletReports>());
        var tasks = new TaskReports(_store, _taskLocks, TimeProvider.System, _loggerFactory.CreateLogger<TaskReports>());
        _router = new ManagerMessageRouter(_topics, "manager", reports, tasks, new PendingInvocations(), _loggerFactory.CreateLogger<ManagerMessageRouter>());
        _service = new PropletService(_store, _propletLocks, _topics, TimeProvider.System, _loggerFactory.CreateLogger<PropletService>());
    }

    [Fact]
    public async Task LastWill_ArrivingWhileTheLastHeartbeatIsStillSaving_LeavesThePropletDead()
    {
        var id = await AddAlivePropletAsync();
        var paused = _store.PauseNextGet();
        var heartbeat = Handle(TopicSuffixes.PropletAlive, $$"""{"proplet_id":"{{id}}","status":"alive","namespace":"default"}""");
        await paused.Entered;

        var will = Handle(TopicSuffixes.PropletAlive, $$"""{"status":"offline","proplet_id":"{{id}}","namespace":"default"}""");
        await Task.WhenAny(will, Task.Delay(200));
        paused.Release();
        await Task.WhenAll(heartbeat, will);

        var proplet = (await _inner.Proplets.GetAsync(id, CancellationToken.None))!;
        Assert.True(proplet.Offline, "the Last Will came after the heartbeat, so the proplet must end up dead");
        Assert.False(proplet.IsAlive(DateTimeOffset.UtcNow));
        _logs.AssertNoUnexpectedErrors();
    }

    [Fact]
    public async Task Delete_WhileAHeartbeatIsSaving_WaitsForItAndLogsNoError()
    {
        var id = await AddAlivePropletAsync();
        var paused = _store.PauseNextGet();
        var heartbeat = Handle(TopicSuffixes.PropletAlive, $$"""{"proplet_id":"{{id}}","status":"alive","namespace":"default"}""");
        await paused.Entered;

        var delete = _service.DeleteAsync(id, CancellationToken.None);
        await Task.WhenAny(delete, Task.Delay(200));
        paused.Release();
        await Task.WhenAll(heartbeat, delete);

        Assert.Null(await _inner.Proplets.GetAsync(id, CancellationToken.None));
        _logs.AssertNoUnexpectedErrors();
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        _loggerFactory.Dispose();
    }

    private Task Handle(string suffix, string payload) =>
        Task.Run(() => _router.HandleAsync(_topics.For(suffix), Encoding.UTF8.GetBytes(payload), CancellationToken.None));

    private async Task<string> AddAlivePropletAsync()
    {
        var id = Guid.NewGuid().ToString();
        await _inner.Proplets.CreateAsync(new Proplet { Id = id, Name = "Ada-Grace" }, CancellationToken.None);
        await _inner.Proplets.RecordHeartbeatAsync(id, DateTimeOffset.UtcNow, CancellationToken.None);
        return id;
    }

    /// <summary>Holds one proplet read until released, as a slow database would.</summary>
    private sealed class Pause
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task WaitAsync()
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class PausingStore(IPropellerStore inner) : IPropellerStore, IPropletRepository
    {
        private Pause? _next;

        public ITaskRepository Tasks => inner.Tasks;

        public IPropletRepository Proplets => this;

        public ITaskPropletRepository TaskProplets => inner.TaskProplets;

        public IMetricsRepository Metrics => inner.Metrics;

        public IJobRepository Jobs => inner.Jobs;

        public Pause PauseNextGet() => _next = new Pause();

        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public async Task<Proplet?> GetAsync(string id, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _next, null) is { } pause)
            {
                await pause.WaitAsync();
            }

            return await inner.Proplets.GetAsync(id, cancellationToken);
        }

        public Task CreateAsync(Proplet proplet, CancellationToken cancellationToken) => inner.Proplets.CreateAsync(proplet, cancellationToken);

        public Task UpdateAsync(Proplet proplet, CancellationToken cancellationToken) => inner.Proplets.UpdateAsync(proplet, cancellationToken);

        public Task UpdateMetadataAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken) =>
            inner.Proplets.UpdateMetadataAsync(id, metadata, cancellationToken);

        public Task RecordHeartbeatAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.Proplets.RecordHeartbeatAsync(id, at, cancellationToken);

        public Task MarkOfflineAsync(string id, CancellationToken cancellationToken) => inner.Proplets.MarkOfflineAsync(id, cancellationToken);

        public Task<ulong> AdjustTaskCountAsync(string id, long delta, CancellationToken cancellationToken) =>
            inner.Proplets.AdjustTaskCountAsync(id, delta, cancellationToken);

        public Task<Page<Proplet>> ListAsync(bool? alive, DateTimeOffset aliveSince, ulong offset, ulong limit, CancellationToken cancellationToken) =>
            inner.Proplets.ListAsync(alive, aliveSince, offset, limit, cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => inner.Proplets.DeleteAsync(id, cancellationToken);
    }
}
