using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Configuration;
using StreamSeg.Pipeline;
using StreamSeg.Sinks;

namespace StreamSeg.Cli.Run;

/// <summary>
/// Opens a run's sources: unique ids (a source given twice gets <c>-2</c>, <c>-3</c> …), reconnection with backoff
/// for live ones (<c>--no-reconnect</c> off), the frame limit (<c>--max-frames</c>), and a log line for each.
/// </summary>
internal sealed partial class SourceBuilder
{
    private readonly ILogger<SourceBuilder> _logger;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates the builder; <paramref name="loggerFactory"/> gives the sources their own loggers.</summary>
    public SourceBuilder(ILogger<SourceBuilder> logger, ILoggerFactory? loggerFactory = null)
    {
        _logger = logger;
        _loggerFactory = loggerFactory;
    }

    /// <summary>
    /// Opens the sources of <paramref name="config"/> into <paramref name="sources"/> (the caller disposes them, also on
    /// failure). State changes of live sources are counted in <paramref name="stats"/>, logged, and passed to the
    /// <paramref name="healthSinks"/> (filled by the caller once the sinks exist); <paramref name="stop"/> ends the
    /// waits between reconnection attempts.
    /// </summary>
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    public void Open(RunConfig config, List<IFrameSource> sources, PipelineStats stats, IReadOnlyList<IHealthSink> healthSinks, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sources);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (SourceConfig sc in config.Sources)
        {
            IFrameSource source = SourceFactory.Create(Options(config, sc, sc.Id), _loggerFactory);
            if (!ids.Add(source.Id))
            {
                // The same file or stream given twice: its copies get ids of their own (metadata, topics, web view).
                string id = source.Id;
                int copy = 2;
                while (ids.Contains($"{id}-{copy}"))
                {
                    copy++;
                }

                string copyId = $"{id}-{copy}";
                LogDuplicate(_logger, id, copyId);
                source.Dispose();
                source = SourceFactory.Create(Options(config, sc, copyId), _loggerFactory);
                ids.Add(source.Id);
            }

            if (config.Reconnect && source.Kind is SourceKind.Stream or SourceKind.Camera)
            {
                source = new ReconnectingSource(
                    source,
                    sources.Count,
                    ReconnectOptions.Default with { Policy = ReconnectOptions.Default.Policy with { MaxAttempts = config.ReconnectAttempts } },
                    change =>
                    {
                        if (change.State == SourceState.Live && change.Offline is not null)
                        {
                            stats.CountReconnect();
                        }

                        LogStateChange(change);
                        foreach (IHealthSink sink in healthSinks)
                        {
                            sink.WriteHealth(change);
                        }
                    },
                    stop);
            }

            if (config.MaxFrames > 0)
            {
                source = new LimitedSource(source, config.MaxFrames);
            }

            sources.Add(source);
            source.Open();
            LogSource(source);
        }
    }

    /// <summary>
    /// Opens one source of a service: <paramref name="uri"/> with <paramref name="id"/> as its id, reconnecting (as
    /// <paramref name="config"/> says) with its state changes logged and passed to <paramref name="onChange"/>. The
    /// caller owns the source. With <paramref name="loop"/>, a file starts again at its end.
    /// </summary>
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    public IFrameSource OpenOne(RunConfig config, string uri, string id, int index, Action<SourceStateChange> onChange, CancellationToken stop, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(onChange);
        IFrameSource source = SourceFactory.Create(new SourceOptions(uri, id, "auto", ReadTimeout: TimeSpan.FromSeconds(config.StallTimeout), Loop: loop), _loggerFactory);
        if (config.Reconnect && source.Kind is SourceKind.Stream or SourceKind.Camera)
        {
            source = new ReconnectingSource(
                source,
                index,
                ReconnectOptions.Default with { Policy = ReconnectOptions.Default.Policy with { MaxAttempts = config.ReconnectAttempts } },
                change =>
                {
                    LogStateChange(change);
                    onChange(change);
                },
                stop);
        }

        try
        {
            source.Open();
        }
        catch
        {
            source.Dispose();
            throw;
        }

        LogSource(source);

        return source;
    }

    /// <summary>Gets the frame rate an output of <paramref name="source"/> is written at (25 when the source does not say).</summary>
    public static double FpsOf(IFrameSource source) => source.Fps > 0 ? source.Fps : 25;

    private static SourceOptions Options(RunConfig config, SourceConfig sc, string? id) =>
        new(sc.Uri, id, sc.RtspTransport, ReadTimeout: TimeSpan.FromSeconds(config.StallTimeout), Loop: sc.Loop);

    // The lines that format their arguments check the level first, so that nothing is formatted for a line not written.
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private void LogStateChange(SourceStateChange change)
    {
        switch (change.State)
        {
            case SourceState.Live when change.Offline is TimeSpan offline:
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    LogLiveAgain(
                        _logger,
                        change.SourceId,
                        offline.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                        change.Reconnects,
                        (change.Away ?? offline).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                        (change.Reopen ?? TimeSpan.Zero).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
                }

                break;
            case SourceState.Live:
                LogLive(_logger, change.SourceId);
                break;
            case SourceState.Stalled:
                LogStalled(_logger, change.SourceId, change.Reason ?? string.Empty);
                break;
            case SourceState.Reconnecting:
                LogReconnecting(_logger, change.SourceId);
                break;
            default:
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    LogState(_logger, change.SourceId, change.State.ToString().ToLowerInvariant(), change.Reason is null ? string.Empty : $" ({change.Reason})");
                }

                break;
        }
    }

    /// <summary>Logs what was opened: kind, size, rate, length and edge policy.</summary>
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private void LogSource(IFrameSource source)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogOpened(
                _logger,
                source.Id,
                source.Kind.ToString().ToLowerInvariant(),
                source.Width,
                source.Height,
                source.Fps > 0 ? string.Create(CultureInfo.InvariantCulture, $" @ {source.Fps:0.##} fps") : string.Empty,
                source.FrameCount is long n ? $", {n} frames" : string.Empty,
                source.IsLive ? " (live: drops oldest when behind)" : " (lossless)");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}' is given more than once: this one is '{CopyId}'")]
    private static partial void LogDuplicate(ILogger logger, string sourceId, string copyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}': {Kind}, {Width}×{Height}{Fps}{Frames}{Mode}")]
    private static partial void LogOpened(ILogger logger, string sourceId, string kind, int width, int height, string fps, string frames, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}': live again after {Seconds} s offline (reconnect {Reconnects}; away {Away} s, reopen {Reopen} s)")]
    private static partial void LogLiveAgain(ILogger logger, string sourceId, string seconds, int reconnects, string away, string reopen);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}': live")]
    private static partial void LogLive(ILogger logger, string sourceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "source '{SourceId}': stalled ({Reason})")]
    private static partial void LogStalled(ILogger logger, string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}': reconnecting with backoff (placeholder frames until it is back)")]
    private static partial void LogReconnecting(ILogger logger, string sourceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "source '{SourceId}': {State}{Reason}")]
    private static partial void LogState(ILogger logger, string sourceId, string state, string reason);
}
