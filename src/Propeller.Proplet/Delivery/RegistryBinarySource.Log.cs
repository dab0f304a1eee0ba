using Microsoft.Extensions.Logging;
using Propeller.Proplet.Diagnostics;

namespace Propeller.Proplet.Delivery;

internal sealed partial class RegistryBinarySource
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.BinaryRequested, LogLevel.Information, "Asked the proxy for {AppName} (holding {Digest})")]
        public static partial void FetchRequested(ILogger logger, string appName, string? digest);

        [LoggerMessage(EventIds.BinaryRequestFailed, LogLevel.Warning, "Could not ask the proxy for {AppName} again: {Reason}")]
        public static partial void FetchRequestFailed(ILogger logger, string appName, string reason);

        [LoggerMessage(EventIds.PinnedBinaryFromCache, LogLevel.Information, "{AppName} is pinned by digest; using the cached sha256:{Digest} without asking the proxy")]
        public static partial void PinnedFromCache(ILogger logger, string appName, string digest);

        [LoggerMessage(EventIds.ChunkRejected, LogLevel.Warning, "Rejected chunk {ChunkIdx} of '{AppName}': {Reason}")]
        public static partial void ChunkRejected(ILogger logger, string appName, int chunkIdx, string reason);

        [LoggerMessage(EventIds.DuplicateChunk, LogLevel.Debug, "Ignored duplicate chunk {ChunkIdx} of {AppName}")]
        public static partial void DuplicateChunk(ILogger logger, string appName, int chunkIdx);

        [LoggerMessage(EventIds.UnsolicitedChunk, LogLevel.Debug, "Dropped chunk {ChunkIdx} of {AppName}: no task here waits for it")]
        public static partial void UnsolicitedChunk(ILogger logger, string appName, int chunkIdx);

        [LoggerMessage(EventIds.BinaryAssembled, LogLevel.Information, "Assembled {AppName} from {Chunks} chunk(s): {Bytes} bytes, sha256:{Digest}, for {Waiters} task(s)")]
        public static partial void Assembled(ILogger logger, string appName, int chunks, int bytes, string digest, int waiters);

        [LoggerMessage(EventIds.BinaryAssemblyFailed, LogLevel.Warning, "Delivery of {AppName} failed: {Error}")]
        public static partial void AssemblyFailed(ILogger logger, string appName, string error);

        [LoggerMessage(EventIds.ProxyReportedError, LogLevel.Warning, "The proxy could not fetch {AppName}: {Error}; failing {Waiters} task(s)")]
        public static partial void ProxyError(ILogger logger, string appName, string error, int waiters);

        [LoggerMessage(EventIds.UnchangedFromCache, LogLevel.Information, "{AppName} is unchanged; using the cached sha256:{Digest} for {Waiters} task(s)")]
        public static partial void UnchangedFromCache(ILogger logger, string appName, string digest, int waiters);

        [LoggerMessage(EventIds.UnchangedNotCached, LogLevel.Information, "{AppName} is unchanged ({Digest}) but not in the binary cache; asking for the chunks")]
        public static partial void UnchangedNotCached(ILogger logger, string appName, string? digest);

        [LoggerMessage(EventIds.RegistryStatusIgnored, LogLevel.Debug, "Ignored registry status for '{AppName}': {Reason}")]
        public static partial void StatusIgnored(ILogger logger, string appName, string reason);

        [LoggerMessage(EventIds.StaleAssemblyRemoved, LogLevel.Warning, "Discarded the stale assembly of {AppName}: {Received}/{Total} chunks received")]
        public static partial void StaleAssemblyRemoved(ILogger logger, string appName, int received, int total);
    }
}
