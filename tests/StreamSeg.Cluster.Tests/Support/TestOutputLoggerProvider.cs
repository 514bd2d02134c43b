using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace StreamSeg.Cluster.Tests.Support;

/// <summary>Writes a node's log (Akka's cluster events and our own lines) to the test's output, prefixed with the node.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, string node) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, node);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string node) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {node} {logLevel}: {formatter(state, exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has ended; a late line from a stopping node has nowhere to go.
            }
        }
    }
}
