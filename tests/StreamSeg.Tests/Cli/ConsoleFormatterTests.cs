using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamSeg.Cli.Logging;

namespace StreamSeg.Tests.Cli;

/// <summary>The two console formats, line by line: today's concise text and one JSON object per line; URLs redacted in both.</summary>
public class ConsoleFormatterTests
{
    private sealed class FixedOptions(StreamSegConsoleFormatterOptions value) : IOptionsMonitor<StreamSegConsoleFormatterOptions>
    {
        public StreamSegConsoleFormatterOptions CurrentValue => value;

        public StreamSegConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<StreamSegConsoleFormatterOptions, string?> listener) => null;
    }

    private static LogEntry<string> Entry(LogLevel level, string message, Exception? exception = null) =>
        new(level, "StreamSeg.Cli.Run.SourceBuilder", new EventId(1), message, exception, static (s, _) => s);

    private static string Text(LogEntry<string> entry, bool verbose)
    {
        var formatter = new StreamSegConsoleFormatter(new FixedOptions(new StreamSegConsoleFormatterOptions { IncludeExceptionDetails = verbose }));
        using var writer = new StringWriter();
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    [Theory]
    [InlineData(LogLevel.Information, "streamseg: info: ")]
    [InlineData(LogLevel.Warning, "streamseg: warn: ")]
    [InlineData(LogLevel.Error, "streamseg: error: ")]
    [InlineData(LogLevel.Debug, "streamseg: debug: ")]
    public void Text_IsOneLine_WithTheLevelName_AndUrlsRedacted(LogLevel level, string prefix)
    {
        string line = Text(Entry(level, "source 'rtsp://alice:s3cret@cam/live': stalled"), verbose: false);
        Assert.Equal(prefix + "source 'rtsp://***@cam/live': stalled\n", line);
    }

    [Fact]
    public void Text_ShowsTheStackTrace_OnlyWhenVerbose()
    {
        Exception ex;
        try
        {
            throw new InvalidOperationException("boom at http://bob:pw@host/x");
        }
        catch (InvalidOperationException caught)
        {
            ex = caught;
        }

        Assert.Equal("streamseg: error: it failed\n", Text(Entry(LogLevel.Error, "it failed", ex), verbose: false));
        string verbose = Text(Entry(LogLevel.Error, "it failed", ex), verbose: true);
        Assert.StartsWith("streamseg: error: it failed\nSystem.InvalidOperationException: boom at http://***@host/x", verbose, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsOneObjectPerLine_WithTheFields()
    {
        var formatter = new JsonLineConsoleFormatter();
        using var writer = new StringWriter();
        formatter.Write(Entry(LogLevel.Warning, "push to rtsp://u:p@relay/out failed", new IOException("broken pipe")), null, writer);
        formatter.Write(Entry(LogLevel.Information, "live"), null, writer);
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        JsonElement e = first.RootElement;
        Assert.Equal("warn", e.GetProperty("level").GetString());
        Assert.Equal("StreamSeg.Cli.Run.SourceBuilder", e.GetProperty("category").GetString());
        Assert.Equal("push to rtsp://***@relay/out failed", e.GetProperty("message").GetString());
        Assert.Contains("System.IO.IOException: broken pipe", e.GetProperty("exception").GetString(), StringComparison.Ordinal);
        Assert.True(DateTime.Now - e.GetProperty("timestamp").GetDateTime() < TimeSpan.FromMinutes(1));
        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.False(second.RootElement.TryGetProperty("exception", out _));
    }
}
