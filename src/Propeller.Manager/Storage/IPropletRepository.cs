using Propeller.Contracts.Messages;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Storage;

internal interface IPropletRepository
{
    /// <summary>Throws <see cref="EntityConflictException"/> when the id exists.</summary>
    Task CreateAsync(Proplet proplet, CancellationToken cancellationToken);

    Task<Proplet?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Full replace. Throws <see cref="EntityNotFoundException"/> when the id is unknown.</summary>
    Task UpdateAsync(Proplet proplet, CancellationToken cancellationToken);

    /// <summary>Replaces the metadata only (a repeated discovery). Throws when unknown.</summary>
    Task UpdateMetadataAsync(string id, PropletMetadata? metadata, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a heartbeat time (keeping the last <see cref="Proplet.AliveHistoryLimit"/>) and clears the offline
    /// flag, atomically. Throws <see cref="EntityNotFoundException"/> when unknown.
    /// </summary>
    Task RecordHeartbeatAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets the offline flag (a Last Will arrived). Throws when unknown.</summary>
    Task MarkOfflineAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="delta"/> to task_count atomically, never below 0; returns the new count.</summary>
    Task<ulong> AdjustTaskCountAsync(string id, long delta, CancellationToken cancellationToken);

    /// <summary>
    /// A page ordered by id. <paramref name="aliveSince"/> null lists all; otherwise <paramref name="alive"/> true
    /// lists proplets whose last heartbeat is at or after it and that are not offline, false lists the others.
    /// </summary>
    Task<Page<Proplet>> ListAsync(bool? alive, DateTimeOffset aliveSince, ulong offset, ulong limit, CancellationToken cancellationToken);

    /// <summary>Deletes the proplet with its mappings and metrics; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
