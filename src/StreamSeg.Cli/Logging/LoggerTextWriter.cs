using System.Text;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Cli.Logging;

/// <summary>
/// A <see cref="TextWriter"/> whose lines become log messages: the bridge for library classes that still take a
/// <c>TextWriter Log</c> (RtspPublishSink, MqttPublisher, WindowSink) until they take an <see cref="ILogger{T}"/>.
/// </summary>
internal sealed partial class LoggerTextWriter : TextWriter
{
    private readonly ILogger _logger;
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    /// <summary>Creates the writer; each line written is logged at information level on <paramref name="logger"/>.</summary>
    public LoggerTextWriter(ILogger logger)
    {
        _logger = logger;
    }

    /// <inheritdoc/>
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                Flush(_line);
            }
            else if (value != '\r')
            {
                _line.Append(value);
            }
        }
    }

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _line.Append(value);
            Flush(_line);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (_line.Length > 0)
                {
                    Flush(_line);
                }
            }
        }

        base.Dispose(disposing);
    }

    private void Flush(StringBuilder line)
    {
        LogLine(_logger, line.ToString());
        line.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);
}
