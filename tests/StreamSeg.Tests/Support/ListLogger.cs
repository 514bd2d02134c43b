using Microsoft.Extensions.Logging;

namespace StreamSeg.Tests.Support;

/// <summary>An <see cref="ILogger{TCategoryName}"/> that keeps every message with its level, for tests that check what was logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    /// <summary>Gets the messages in order, formatted.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_entries)
            {
                return _entries.ConvertAll(e => e.Message);
            }
        }
    }

    /// <summary>Gets the levels in order.</summary>
    public IReadOnlyList<LogLevel> Levels
    {
        get
        {
            lock (_entries)
            {
                return _entries.ConvertAll(e => e.Level);
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
