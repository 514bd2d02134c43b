using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StreamSeg.Capture;

namespace StreamSeg.Cli.Logging;

/// <summary>
/// StreamSeg's concise console lines: <c>streamseg: info: message</c> (also <c>warn</c>, <c>error</c>, <c>debug</c>),
/// with credentials removed from any URL and the progress bar cleared first so that a line never lands in the bar.
/// </summary>
internal sealed class StreamSegConsoleFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name in <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "streamseg";

    private readonly IOptionsMonitor<StreamSegConsoleFormatterOptions> _options;

    /// <summary>Creates the formatter.</summary>
    public StreamSegConsoleFormatter(IOptionsMonitor<StreamSegConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options;
    }

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        // The logger writes on its own thread: the clearing travels in the same write as the line.
        textWriter.Write(ProgressReporter.TakeClearSequence());
        textWriter.Write("streamseg: ");
        textWriter.Write(LevelNames.Of(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(UrlRedactor.Redact(message ?? logEntry.Exception!.Message));
        if (logEntry.Exception is Exception ex && _options.CurrentValue.IncludeExceptionDetails)
        {
            textWriter.Write('\n');
            textWriter.Write(UrlRedactor.Redact(ex.ToString()));
        }

        textWriter.Write('\n');
    }
}
