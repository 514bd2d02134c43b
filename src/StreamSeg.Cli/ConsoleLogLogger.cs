using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli;

/// <summary>
/// Forwards a library class's <see cref="ILogger{TCategoryName}"/> messages to the CLI's <see cref="ConsoleLog"/>
/// (<c>streamseg: warn: …</c>), until the CLI logs through a logger factory of its own.
/// </summary>
internal sealed class ConsoleLogLogger<T> : ILogger<T>
{
    private readonly ConsoleLog _log;

    public ConsoleLogLogger(ConsoleLog log)
    {
        _log = log;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        string message = formatter(state, exception);
        switch (logLevel)
        {
            case LogLevel.Trace or LogLevel.Debug:
                _log.Debug(message);
                break;
            case LogLevel.Information:
                _log.Info(message);
                break;
            case LogLevel.Warning:
                _log.Warn(message);
                break;
            case LogLevel.Error or LogLevel.Critical:
                _log.Error(message);
                break;
        }
    }
}
