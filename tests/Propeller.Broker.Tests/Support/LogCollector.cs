using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Propeller.Broker.Tests.Support;

/// <summary>Keeps every log entry of a test so it can assert on events and catch unexpected errors.</summary>
internal sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILoggerFactory CreateFactory() =>
        LoggerFactory.Create(builder => builder.AddProvider(this).SetMinimumLevel(LogLevel.Debug));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public IReadOnlyList<LogEntry> WithEventId(int eventId) => [.. _entries.Where(e => e.EventId.Id == eventId)];

    /// <summary>Waits until an entry with the event id has been logged (events may trail the client's view).</summary>
    public Task<LogEntry> WaitForEventAsync(int eventId, Func<LogEntry, bool>? predicate = null) =>
        Eventually.WaitAsync(() => _entries.FirstOrDefault(e => e.EventId.Id == eventId && (predicate is null || predicate(e))), $"log event {eventId}");

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new LogEntry(logLevel, eventId, category, formatter(state, exception), exception));
    }
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, string Category, string Message, Exception? Exception);
