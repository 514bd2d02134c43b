using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli;

/// <summary>
/// Loggers that write through <see cref="ConsoleLog"/>, so library classes that log through
/// Microsoft.Extensions.Logging keep today's <c>streamseg: info: …</c> lines.
/// </summary>
/// <remarks>A bridge until the CLI's console formatter replaces <see cref="ConsoleLog"/>.</remarks>
internal sealed class ConsoleLogLoggerProvider(ConsoleLog log) : ILoggerProvider
{
    /// <summary>Creates a logger factory that writes through <paramref name="log"/>.</summary>
    public static ILoggerFactory CreateFactory(ConsoleLog log) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ConsoleLogLoggerProvider(log)));

    public ILogger CreateLogger(string categoryName) => new Logger(log);

    public void Dispose()
    {
        // ConsoleLog holds nothing to release.
    }

    private sealed class Logger(ConsoleLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Debug and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string message = formatter(state, exception);
            switch (logLevel)
            {
                case LogLevel.Trace or LogLevel.Debug:
                    log.Debug(message);
                    break;
                case LogLevel.Information:
                    log.Info(message);
                    break;
                case LogLevel.Warning:
                    log.Warn(message);
                    break;
                case LogLevel.Error or LogLevel.Critical:
                    log.Error(message);
                    break;
            }
        }
    }
}
