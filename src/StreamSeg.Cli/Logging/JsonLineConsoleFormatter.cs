using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using StreamSeg.Capture;

namespace StreamSeg.Cli.Logging;

/// <summary>
/// One JSON object per line for machines (<c>--log-format json</c>): <c>timestamp</c> (UTC, ISO 8601), <c>level</c>
/// (the text lines' names), <c>category</c>, <c>message</c> and <c>exception</c> when there is one; URLs redacted.
/// </summary>
internal sealed class JsonLineConsoleFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name in <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "streamseg-json";

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the formatter.</summary>
    public JsonLineConsoleFormatter()
        : base(FormatterName)
    {
    }

    /// <inheritdoc/>
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("level", LevelNames.Of(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            json.WriteString("message", UrlRedactor.Redact(message ?? logEntry.Exception!.Message));
            if (logEntry.Exception is Exception ex)
            {
                json.WriteString("exception", UrlRedactor.Redact(ex.ToString()));
            }

            json.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }
}
