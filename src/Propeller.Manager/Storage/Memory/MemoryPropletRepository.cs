using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage.Memory;

internal sealed class MemoryPropletRepository(MemoryState state) : IPropletRepository
{
    public Task CreateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        cancellationToken.ThrowIfCancellationRequested();
        var copy = Snapshot(proplet);
        lock (state.Gate)
        {
            if (!state.Proplets.TryAdd(proplet.Id, copy))
            {
                throw new EntityConflictException($"proplet '{proplet.Id}' already exists");
            }
        }

        return Task.CompletedTask;
    }

    public Task<Proplet?> GetAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.Proplets.GetValueOrDefault(id));
        }
    }

    public Task UpdateAsync(Proplet proplet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proplet);
        var copy = Snapshot(proplet);
        Change(proplet.Id, _ => copy, cancellationToken);
        return Task.CompletedTask;
    }

    public Task UpdateMetadataAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken)
    {
        var copy = CopyMetadata(metadata);
        Change(id, p => p with { Metadata = copy }, cancellationToken);
        return Task.CompletedTask;
    }

    public Task RecordHeartbeatAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Change(id, p => p with { AliveHistory = AliveHistory.Append(p.AliveHistory, at), Offline = false }, cancellationToken);
        return Task.CompletedTask;
    }

    public Task MarkOfflineAsync(string id, CancellationToken cancellationToken)
    {
        Change(id, p => p with { Offline = true }, cancellationToken);
        return Task.CompletedTask;
    }

    public Task<ulong> AdjustTaskCountAsync(string id, long delta, CancellationToken cancellationToken)
    {
        var updated = Change(id, p => p with { TaskCount = (ulong)Int128.Clamp((Int128)p.TaskCount + delta, 0, long.MaxValue) }, cancellationToken);
        return Task.FromResult(updated.TaskCount);
    }

    public Task<Page<Proplet>> ListAsync(bool? alive, DateTimeOffset aliveSince, ulong offset, ulong limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<Proplet> matching;
        lock (state.Gate)
        {
            matching = state.Proplets.Values
                .Where(p => alive is null || IsAliveSince(p, aliveSince) == alive)
                .OrderBy(p => p.Id, StringComparer.Ordinal)
                .ToList();
        }

        return Task.FromResult(MemoryPaging.Page(matching, offset, limit));
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            return Task.FromResult(state.RemoveProplet(id));
        }
    }

    private static bool IsAliveSince(Proplet proplet, DateTimeOffset since) =>
        !proplet.Offline && proplet.LastAliveAt is { } last && last >= since;

    private Proplet Change(string id, Func<Proplet, Proplet> change, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (state.Gate)
        {
            if (!state.Proplets.TryGetValue(id, out var current))
            {
                throw new EntityNotFoundException($"proplet '{id}' not found");
            }

            var updated = change(current);
            state.Proplets[id] = updated;
            return updated;
        }
    }

    // Copies what the caller could still mutate; the SQL backend stores a copy too.
    private static Proplet Snapshot(Proplet proplet) => proplet with
    {
        AliveHistory = AliveHistory.Trim(proplet.AliveHistory),
        Metadata = CopyMetadata(proplet.Metadata),
    };

    private static PropletMetadata? CopyMetadata(PropletMetadata? metadata) =>
        metadata is null ? null : metadata with { Tags = metadata.Tags?.ToArray() };
}
