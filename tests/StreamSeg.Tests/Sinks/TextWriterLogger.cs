using Microsoft.Extensions.Logging;

namespace StreamSeg.Tests.Sinks;

/// <summary>
/// An <see cref="ILogger{T}"/> that writes each formatted message as one line to a <see cref="TextWriter"/>, so that a
/// test can read what a sink logged (the message text only: the level prefix belongs to the console formatter).
/// </summary>
internal sealed class TextWriterLogger<T> : ILogger<T>
{
    private readonly TextWriter _writer;
    private readonly Lock _lock = new();

    public TextWriterLogger(TextWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Gets the level of every message written, in order.</summary>
    public List<LogLevel> Levels { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            Levels.Add(logLevel);
            _writer.WriteLine(formatter(state, exception));
        }
    }
}
