using Microsoft.Extensions.Logging;

namespace Propeller.Testing;

public sealed record LogEntry(DateTimeOffset Time, LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {Level} [{Category}#{EventId.Id}] {Message}{(Exception is null ? "" : " " + Exception)}";
}
