using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Propeller.Broker.Credentials;

/// <summary>
/// The credential store, in memory or backed by one JSON file. Every change rewrites the file atomically
/// (temporary file, flush, rename). A file-backed store notices when another process (e.g.
/// <c>propeller provision</c> next to a running broker) replaced the file and reloads it.
/// </summary>
internal sealed partial class CredentialStore : ICredentialStore
{
    private static readonly TimeSpan DefaultReloadCheckInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly string? _path;
    private readonly TimeSpan _reloadCheckInterval;
    private readonly ILogger _logger;
    private readonly Stopwatch _sinceLastCheck = Stopwatch.StartNew();

    private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Channel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EntityRecord> _entities = new(StringComparer.Ordinal);
    private readonly Dictionary<(string EntityId, string ChannelId), GrantRecord> _grants = [];

    // Grants per entity, built on first use: the broker asks on every publish and subscribe, and scanning all
    // grants each time made the ACL check grow with the fleet. Cleared whenever grants or channels change.
    private readonly Dictionary<string, IReadOnlyList<ChannelGrant>> _grantsByEntity = new(StringComparer.Ordinal);

    // Keys that passed PBKDF2, by entity, as a SHA-256 fingerprint tied to the stored hash they matched. A fleet
    // reconnecting after a network blip then logs in for a hash each instead of 10,000 PBKDF2 rounds each (5,000
    // proplets: about 18 s of CPU). A rotated or reloaded key is a new hash object, so an old entry never matches.
    private readonly Dictionary<string, VerifiedKey> _verifiedKeys = new(StringComparer.Ordinal);
    private long _keyDerivations;

    private FileStamp _loadedStamp;

    // A file version that failed to load, so reads do not retry (and log) it on every call.
    private FileStamp _rejectedStamp;

    private CredentialStore(string? path, TimeSpan reloadCheckInterval, ILogger logger)
    {
        _path = path;
        _reloadCheckInterval = reloadCheckInterval;
        _logger = logger;
    }

    /// <summary>The file backing this store, or null when it lives in memory only.</summary>
    public string? FilePath => _path;

    public static CredentialStore InMemory() => new(null, TimeSpan.Zero, NullLogger.Instance);

    /// <summary>
    /// Opens the store kept in <paramref name="path"/>; a missing file is an empty store, created by the first change.
    /// </summary>
    /// <param name="path">JSON file; its directory is created on the first write.</param>
    /// <param name="reloadCheckInterval">How often reads look for a newer file (default 1 s; zero checks on every read).</param>
    /// <param name="logger">Receives a warning when a changed file cannot be reloaded.</param>
    /// <exception cref="CredentialStoreException">The file exists but cannot be read or parsed.</exception>
    public static CredentialStore Open(string path, TimeSpan? reloadCheckInterval = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var store = new CredentialStore(Path.GetFullPath(path), reloadCheckInterval ?? DefaultReloadCheckInterval, logger ?? NullLogger.Instance);
        lock (store._gate)
        {
            store.Load();
        }

        return store;
    }

    public Tenant EnsureTenant(string name)
    {
        var trimmed = RequireName(name, "tenant");
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            var existing = _tenants.Values.FirstOrDefault(t => t.Name == trimmed);
            if (existing is not null)
            {
                return existing;
            }

            var tenant = new Tenant(NewId(), trimmed, DateTimeOffset.UtcNow);
            _tenants.Add(tenant.Id, tenant);
            Commit();
            return tenant;
        }
    }

    public Tenant? FindTenant(string tenantId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.Throttled);
            return _tenants.GetValueOrDefault(tenantId);
        }
    }

    public Channel EnsureChannel(string tenantId, string name)
    {
        var trimmed = RequireName(name, "channel");
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            RequireTenant(tenantId);
            var existing = _channels.Values.FirstOrDefault(c => c.TenantId == tenantId && c.Name == trimmed);
            if (existing is not null)
            {
                return existing;
            }

            var channel = new Channel(NewId(), trimmed, tenantId, DateTimeOffset.UtcNow);
            _channels.Add(channel.Id, channel);
            Commit();
            return channel;
        }
    }

    public Channel? FindChannel(string channelId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.Throttled);
            return _channels.GetValueOrDefault(channelId);
        }
    }

    public IssuedCredentials CreateEntity(string tenantId, string name, EntityRole role)
    {
        var trimmed = RequireName(name, "entity");
        if (!Enum.IsDefined(role))
        {
            throw new CredentialStoreException($"Unknown entity role '{role}'.");
        }

        // Hash outside the lock: it is the slow part.
        var apiKey = ApiKeys.Generate();
        var hash = ApiKeys.Hash(apiKey);
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            RequireTenant(tenantId);
            var record = new EntityRecord(NewId(), trimmed, role, tenantId, DateTimeOffset.UtcNow, hash);
            _entities.Add(record.Id, record);
            Commit();
            return new IssuedCredentials(record.ToEntity(), apiKey);
        }
    }

    public Entity? FindEntity(string entityId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.Throttled);
            return _entities.GetValueOrDefault(entityId)?.ToEntity();
        }
    }

    public string IssueKey(string entityId)
    {
        var apiKey = ApiKeys.Generate();
        var hash = ApiKeys.Hash(apiKey);
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            var record = _entities.GetValueOrDefault(entityId)
                ?? throw new CredentialStoreException($"Unknown entity '{entityId}'.");
            _entities[entityId] = record with { Key = hash };
            Commit();
            return apiKey;
        }
    }

    public bool DeleteEntity(string entityId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            if (!_entities.Remove(entityId))
            {
                return false;
            }

            foreach (var key in _grants.Keys.Where(k => k.EntityId == entityId).ToList())
            {
                _grants.Remove(key);
            }

            Commit();
            return true;
        }
    }

    public void Grant(string entityId, string channelId, ChannelPermissions permissions)
    {
        if (permissions == ChannelPermissions.None || (permissions & ~ChannelPermissions.PublishSubscribe) != 0)
        {
            throw new CredentialStoreException($"Invalid permissions '{permissions}': grant Publish, Subscribe or both.");
        }

        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            var entity = _entities.GetValueOrDefault(entityId)
                ?? throw new CredentialStoreException($"Unknown entity '{entityId}'.");
            var channel = _channels.GetValueOrDefault(channelId)
                ?? throw new CredentialStoreException($"Unknown channel '{channelId}'.");
            if (channel.TenantId != entity.TenantId)
            {
                throw new CredentialStoreException(
                    $"Channel '{channelId}' belongs to tenant '{channel.TenantId}', entity '{entityId}' to tenant '{entity.TenantId}'.");
            }

            var merged = permissions;
            if (_grants.TryGetValue((entityId, channelId), out var existing))
            {
                merged |= existing.Permissions;
            }

            _grants[(entityId, channelId)] = new GrantRecord(
                entityId,
                channelId,
                merged.HasFlag(ChannelPermissions.Publish),
                merged.HasFlag(ChannelPermissions.Subscribe));
            Commit();
        }
    }

    public bool Revoke(string entityId, string channelId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.ForWrite);
            if (!_grants.Remove((entityId, channelId)))
            {
                return false;
            }

            Commit();
            return true;
        }
    }

    /// <summary>How many PBKDF2 derivations authentication has run (the expensive part of a login).</summary>
    internal long KeyDerivations => Interlocked.Read(ref _keyDerivations);

    public Entity? Authenticate(string entityId, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        ArgumentNullException.ThrowIfNull(apiKey);

        EntityRecord? record;
        VerifiedKey? verified = null;
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.Throttled);
            if (!_entities.ContainsKey(entityId))
            {
                // Just provisioned by another process? Look now rather than after the throttle interval.
                RefreshIfChanged(RefreshMode.Now);
            }

            record = _entities.GetValueOrDefault(entityId);
            if (record is not null && _verifiedKeys.TryGetValue(entityId, out var known) && ReferenceEquals(known.Stored, record.Key))
            {
                verified = known;
            }
        }

        var fingerprint = ApiKeys.Fingerprint(apiKey);
        if (verified is not null && CryptographicOperations.FixedTimeEquals(fingerprint, verified.Fingerprint))
        {
            return record!.ToEntity();
        }

        // PBKDF2 runs outside the lock, also for unknown entities (timing does not reveal which ids exist) and for a
        // key other than the remembered one (a wrong guess costs the same as ever).
        Interlocked.Increment(ref _keyDerivations);
        if (!ApiKeys.Verify(apiKey, record?.Key))
        {
            return null;
        }

        lock (_gate)
        {
            _verifiedKeys[entityId] = new VerifiedKey(record!.Key, fingerprint);
        }

        return record.ToEntity();
    }

    public IReadOnlyList<ChannelGrant> GetGrants(string entityId)
    {
        lock (_gate)
        {
            RefreshIfChanged(RefreshMode.Throttled);
            if (_grantsByEntity.TryGetValue(entityId, out var cached))
            {
                return cached;
            }

            var result = new List<ChannelGrant>();
            foreach (var grant in _grants.Values)
            {
                if (grant.EntityId == entityId && _channels.TryGetValue(grant.ChannelId, out var channel))
                {
                    result.Add(new ChannelGrant(channel.TenantId, channel.Id, grant.Permissions));
                }
            }

            // Unknown ids are not cached: anyone can make the broker look one up.
            if (_entities.ContainsKey(entityId))
            {
                _grantsByEntity[entityId] = result.AsReadOnly();
            }

            return result;
        }
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private static string RequireName(string name, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.Length == 0)
        {
            throw new CredentialStoreException($"A {what} name must not be empty.");
        }

        if (trimmed.Length > 256 || trimmed.Any(char.IsControl))
        {
            throw new CredentialStoreException($"A {what} name must be at most 256 printable characters.");
        }

        return trimmed;
    }

    private void RequireTenant(string tenantId)
    {
        if (!_tenants.ContainsKey(tenantId))
        {
            throw new CredentialStoreException($"Unknown tenant '{tenantId}'.");
        }
    }

    // Caller holds _gate.
    private void RefreshIfChanged(RefreshMode mode)
    {
        if (_path is null || (mode == RefreshMode.Throttled && _sinceLastCheck.Elapsed < _reloadCheckInterval))
        {
            return;
        }

        _sinceLastCheck.Restart();
        var stamp = FileStamp.Of(_path);
        if (!stamp.Exists || stamp == _loadedStamp || (mode != RefreshMode.ForWrite && stamp == _rejectedStamp))
        {
            return;
        }

        try
        {
            Load();
        }
        catch (CredentialStoreException exception) when (mode != RefreshMode.ForWrite)
        {
            // Keep serving the last good state; a writer surfaces the error instead of overwriting the file.
            _rejectedStamp = stamp;
            Log.ReloadFailed(_logger, _path, exception);
        }
    }

    // Caller holds _gate.
    private void Load()
    {
        var path = _path!;
        var stamp = FileStamp.Of(path);
        CredentialDocument document;
        if (!stamp.Exists)
        {
            document = new CredentialDocument();
        }
        else
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                document = JsonSerializer.Deserialize(stream, CredentialJsonContext.Default.CredentialDocument)
                    ?? throw new CredentialStoreException($"Credential store '{path}' is empty (null document).");
            }
            catch (JsonException exception)
            {
                throw new CredentialStoreException($"Credential store '{path}' is not valid: {exception.Message}", exception);
            }
            catch (IOException exception)
            {
                throw new CredentialStoreException($"Credential store '{path}' cannot be read: {exception.Message}", exception);
            }
            catch (UnauthorizedAccessException exception)
            {
                throw new CredentialStoreException($"Credential store '{path}' cannot be read: {exception.Message}", exception);
            }
        }

        if (document.Version != CredentialDocument.CurrentVersion)
        {
            throw new CredentialStoreException(
                $"Credential store '{path}' has version {document.Version}; this build reads version {CredentialDocument.CurrentVersion}.");
        }

        // The nullable annotations do not reach list items; check them before the state is cleared.
        if (document.Tenants.Contains(null!) || document.Channels.Contains(null!)
            || document.Entities.Contains(null!) || document.Grants.Contains(null!))
        {
            throw new CredentialStoreException($"Credential store '{path}' is not valid: it contains a null entry.");
        }

        _tenants.Clear();
        _channels.Clear();
        _entities.Clear();
        _grants.Clear();
        _grantsByEntity.Clear();
        _verifiedKeys.Clear();
        foreach (var tenant in document.Tenants)
        {
            _tenants[tenant.Id] = tenant;
        }

        foreach (var channel in document.Channels)
        {
            _channels[channel.Id] = channel;
        }

        foreach (var entity in document.Entities)
        {
            _entities[entity.Id] = entity;
        }

        foreach (var grant in document.Grants)
        {
            _grants[(grant.EntityId, grant.ChannelId)] = grant;
        }

        _loadedStamp = stamp;
    }

    // Caller holds _gate and has changed the state; on a failed write the state falls back to the file.
    private void Commit()
    {
        _grantsByEntity.Clear();
        _verifiedKeys.Clear();
        if (_path is null)
        {
            return;
        }

        try
        {
            Save(_path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            try
            {
                Load();
            }
            catch (CredentialStoreException)
            {
                // The write failure below is the one to report.
            }

            throw new CredentialStoreException($"Credential store '{_path}' cannot be written: {exception.Message}", exception);
        }
    }

    private void Save(string path)
    {
        var document = new CredentialDocument
        {
            Tenants = [.. _tenants.Values.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)],
            Channels = [.. _channels.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal)],
            Entities = [.. _entities.Values.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal)],
            Grants = [.. _grants.Values.OrderBy(g => g.EntityId, StringComparer.Ordinal).ThenBy(g => g.ChannelId, StringComparer.Ordinal)],
        };

        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Hashes only, but nobody else needs to read them.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, document, CredentialJsonContext.Default.CredentialDocument);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        _loadedStamp = FileStamp.Of(path);
    }

    private enum RefreshMode
    {
        /// <summary>Reads look at the file at most once per reload interval and keep the last good state on errors.</summary>
        Throttled,

        /// <summary>Like <see cref="Throttled"/> without waiting for the interval.</summary>
        Now,

        /// <summary>Writers always look, so they never overwrite a newer file with stale state, and see errors.</summary>
        ForWrite,
    }

    private readonly record struct FileStamp(bool Exists, DateTime LastWriteUtc, long Length)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.LastWriteTimeUtc, info.Length) : default;
        }
    }

    private sealed record VerifiedKey(KeyHash Stored, byte[] Fingerprint);
}
