using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Propeller.Testing;

/// <summary>
/// Records every log entry of the components under test so a test can assert on warnings, and fail when
/// something logged an error it did not expect (as MQTTnet's TestEnvironment does).
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ITestOutputSink? _output;

    public CapturingLoggerProvider(ITestOutputSink? output = null) => _output = output;

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, this);

    public IReadOnlyList<LogEntry> Errors(Func<LogEntry, bool>? expected = null) =>
        _entries.Where(e => e.Level >= LogLevel.Error && (expected is null || !expected(e))).ToList();

    /// <summary>Throws when an error was logged that <paramref name="expected"/> does not excuse.</summary>
    public void AssertNoUnexpectedErrors(Func<LogEntry, bool>? expected = null)
    {
        var errors = Errors(expected);
        if (errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("Unexpected errors were logged:\n" + string.Join("\n", errors));
        }
    }

    public void Dispose()
    {
    }

    internal void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        _output?.WriteLine(entry.ToString());
    }

    private sealed class CapturingLogger(string category, CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Add(new LogEntry(DateTimeOffset.UtcNow, logLevel, category, eventId, formatter(state, exception), exception));
            }
        }
    }
}

/// <summary>Where captured log lines are echoed (an xunit <c>ITestOutputHelper</c> adapter, usually).</summary>
public interface ITestOutputSink
{
    void WriteLine(string line);
}
