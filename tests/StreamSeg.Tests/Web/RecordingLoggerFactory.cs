using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Tests.Web;

/// <summary>An <see cref="ILoggerFactory"/> that records which categories were asked for and every message logged through them.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    /// <summary>Gets the categories loggers were created for.</summary>
    public ConcurrentQueue<string> Categories { get; } = new();

    /// <summary>Gets every message, with its category and level, in the order it was logged.</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    /// <summary>Gets whether <see cref="Dispose"/> was called.</summary>
    public bool Disposed { get; private set; }

    public ILogger CreateLogger(string categoryName)
    {
        Categories.Enqueue(categoryName);
        return new Logger(this, categoryName);
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose() => Disposed = true;

    private sealed class Logger(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
