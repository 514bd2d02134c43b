using Microsoft.Extensions.Logging;

namespace StreamSeg.Sinks;

/// <summary>The state changes <see cref="RtspPublishSink"/> logs, one message each (source-generated).</summary>
public sealed partial class RtspPublishSink
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: connecting to {Url} over {Transport}")]
    private static partial void LogConnecting(ILogger logger, string sink, string url, string transport);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: connecting to {Url} over {Transport} (attempt {Attempt})")]
    private static partial void LogConnectingAttempt(ILogger logger, string sink, string url, string transport, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: live on {Url}")]
    private static partial void LogLive(ILogger logger, string sink, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: live on {Url} again (reconnect {Reconnect})")]
    private static partial void LogLiveAgain(ILogger logger, string sink, string url, long reconnect);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sink}: {What} on {Url} ({Reason}); reconnecting in {Delay} s")]
    private static partial void LogReconnecting(ILogger logger, string sink, string what, string url, string reason, string delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Sink}: {What} on {Url} ({Reason}); gave up after {Attempts} reconnect attempts")]
    private static partial void LogGaveUp(ILogger logger, string sink, string what, string url, string reason, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: stopped after {Frames} frames sent, {Dropped} dropped, {Reconnects} reconnects")]
    private static partial void LogStopped(ILogger logger, string sink, long frames, long dropped, long reconnects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sink}: stopped after {Frames} frames sent, {Dropped} dropped, {Reconnects} reconnects; ffmpeg did not finish within {Timeout} s and was killed")]
    private static partial void LogStoppedKilled(ILogger logger, string sink, long frames, long dropped, long reconnects, string timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sink}: stopped (cancelled); ffmpeg did not finish within {Timeout} s and was killed")]
    private static partial void LogStoppedCancelledKilled(ILogger logger, string sink, string timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Sink}: stopped")]
    private static partial void LogStoppedPlain(ILogger logger, string sink);
}
