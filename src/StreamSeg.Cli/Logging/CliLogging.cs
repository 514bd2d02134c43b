using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace StreamSeg.Cli.Logging;

/// <summary>Sets up Microsoft.Extensions.Logging for the CLI: everything on standard error, in StreamSeg's text or JSON lines.</summary>
internal static class CliLogging
{
    /// <summary>Replaces the providers of <paramref name="builder"/> with the console, formatted as <paramref name="settings"/> says.</summary>
    public static ILoggingBuilder AddStreamSegConsole(this ILoggingBuilder builder, LogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.ClearProviders();
        builder.SetMinimumLevel(settings.Verbose ? LogLevel.Debug : LogLevel.Information);

        // The host's own start/stop notes are not the product's output; its warnings and errors still are.
        builder.AddFilter("Microsoft", LogLevel.Warning);
        builder.AddFilter("System", LogLevel.Warning);
        builder.AddConsole(o =>
        {
            o.FormatterName = settings.Format == LogFormat.Json ? JsonLineConsoleFormatter.FormatterName : StreamSegConsoleFormatter.FormatterName;

            // Standard output carries the results (summary, tables); every log line goes to standard error.
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        builder.AddConsoleFormatter<StreamSegConsoleFormatter, StreamSegConsoleFormatterOptions>(o => o.IncludeExceptionDetails = settings.Verbose);
        builder.AddConsoleFormatter<JsonLineConsoleFormatter, ConsoleFormatterOptions>();
        return builder;
    }

    /// <summary>Creates a logger factory for commands that run without the host (<c>models</c>, errors before a run starts).</summary>
    public static ILoggerFactory CreateFactory(LogSettings settings) =>
        LoggerFactory.Create(b => b.AddStreamSegConsole(settings));
}
