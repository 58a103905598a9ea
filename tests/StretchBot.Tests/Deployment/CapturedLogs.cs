using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StretchBot.Tests.Deployment;

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// A logger provider that keeps what the app logs, subject to the app's own log filters like any other provider,
/// and lets a test wait for an entry instead of sleeping.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly List<(Func<CapturedLog, bool> Match, TaskCompletionSource<CapturedLog> Found)> _waiters = [];
    private readonly object _gate = new();

    public IReadOnlyCollection<CapturedLog> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The first entry (already logged or still to come) that matches.</summary>
    public Task<CapturedLog> WaitForAsync(Func<CapturedLog, bool> match, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_entries.FirstOrDefault(match) is { } existing)
            {
                return Task.FromResult(existing);
            }

            var found = new TaskCompletionSource<CapturedLog>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(timeout);
        }
    }

    public void Dispose()
    {
    }

    private void Add(CapturedLog entry)
    {
        lock (_gate)
        {
            _entries.Enqueue(entry);
            foreach (var waiter in _waiters.Where(w => w.Match(entry)).ToList())
            {
                waiter.Found.TrySetResult(entry);
                _waiters.Remove(waiter);
            }
        }
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
