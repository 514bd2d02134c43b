using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;
using StreamSeg.Pipeline;
using StreamSeg.Sinks;
using StreamSeg.Web;

namespace StreamSeg.Cli.Run;

/// <summary>
/// Turns a <see cref="RunConfig"/> into the run's sinks, each bound to its edge: the web view (<c>--http</c>), the
/// annotated video (<c>--out</c>, one per source with several), NDJSON metadata (<c>--meta</c>), the RTSP push
/// (<c>--publish</c>), MQTT (<c>--mqtt</c>) and the preview window (<c>--show</c>).
/// </summary>
/// <remarks>
/// Edges: files never drop a frame unless a source is live (then the oldest frame goes); the live views (window, web,
/// RTSP push) keep two frames and drop the oldest, as a viewer wants the newest.
/// </remarks>
internal sealed partial class SinkFactory
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<SinkFactory> _logger;

    /// <summary>Creates the factory; the sinks that log get their loggers from <paramref name="loggerFactory"/>.</summary>
    public SinkFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SinkFactory>();
    }

    /// <summary>
    /// Creates the sinks of <paramref name="config"/> for <paramref name="sources"/> (opened: their sizes and frame
    /// rates are known) and starts the web view. On failure the sinks made so far are closed.
    /// </summary>
    public async Task<SinkSet> CreateAsync(RunConfig config, IReadOnlyList<IFrameSource> sources, PipelineStats stats)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sources);
        bool anyLive = false;
        foreach (IFrameSource s in sources)
        {
            anyLive |= s.IsLive;
        }

        EdgeOptions fileEdge = new(8, anyLive ? FrameDropPolicy.DropOldest : FrameDropPolicy.Wait);
        EdgeOptions liveEdge = new(2, FrameDropPolicy.DropOldest);
        var set = new SinkSet();
        try
        {
            if (config.Http is string http)
            {
                await AddWebViewAsync(set, http, sources, stats, liveEdge).ConfigureAwait(false);
            }

            if (config.Out is string outPath)
            {
                Add(set, CreateVideoSink(outPath, sources), fileEdge);
            }

            if (config.Meta is string metaPath)
            {
                Add(set, new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = metaPath }), fileEdge);
            }

            if (config.Publish is string publishUrl)
            {
                if (sources.Count > 1)
                {
                    throw new ConfigException("--publish takes one source: an RTSP path carries one video (run one streamseg per published stream).");
                }

                var options = new RtspPublishSinkOptions(publishUrl)
                {
                    Fps = SourceBuilder.FpsOf(sources[0]),
                    Transport = config.PublishTransport,
                };
                Add(set, new RtspPublishSink(options, _loggerFactory.CreateLogger<RtspPublishSink>()), liveEdge);
            }

            if (config.Mqtt is string mqttUrl)
            {
                Add(set, CreateMqttSink(mqttUrl), new EdgeOptions(8, FrameDropPolicy.DropOldest));
            }

            if (config.Show)
            {
                Add(set, new WindowSink(new WindowSinkOptions(), _loggerFactory.CreateLogger<WindowSink>()), liveEdge);
            }

            if (set.Bindings.Count == 0)
            {
                LogNoOutput(_logger);
            }

            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private void Add(SinkSet set, ISink sink, EdgeOptions edge)
    {
        set.Add(sink, edge);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogSink(_logger, sink.Name, edge.Capacity, edge.Policy.ToString());
        }
    }

    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private async Task AddWebViewAsync(SinkSet set, string http, IReadOnlyList<IFrameSource> sources, PipelineStats stats, EdgeOptions edge)
    {
        var view = new WebViewSink();
        for (int i = 0; i < sources.Count; i++)
        {
            view.RegisterSource(i, sources[i].Id);
        }

        Add(set, view, edge);
        WebViewOptions webOptions;
        try
        {
            webOptions = new WebViewOptions { Endpoint = WebViewOptions.ParseEndpoint(http), BearerToken = Environment.GetEnvironmentVariable("STREAMSEG_HTTP_TOKEN") };
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"Option '--http': {ex.Message}", ex);
        }

        set.Web = new WebViewServer(webOptions, view, stats, _loggerFactory);
        try
        {
            await set.Web.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new OutputException($"Web view '{http}' (--http) could not listen: {ex.Message}", ex);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogWebView(_logger, set.Web.BaseAddress?.ToString() ?? http);
        }
    }

    /// <summary>
    /// Creates the MQTT sink of <paramref name="mqttUrl"/>; with <paramref name="node"/> (a service) each message also
    /// carries <c>id</c>, <c>node</c> and a per-stream <c>seq</c>, which starts from the clock with <paramref name="seqFromClock"/> (a cluster node).
    /// </summary>
    public MessageSink CreateMqttSink(string mqttUrl, string? node = null, bool seqFromClock = false)
    {
        MqttPublisherOptions mqtt;
        try
        {
            mqtt = MqttPublisherOptions.FromUrl(mqttUrl);
        }
        catch (FormatException ex)
        {
            throw new ConfigException(ex.Message, ex);
        }

        return new MessageSink(new MqttPublisher(mqtt, _loggerFactory.CreateLogger<MqttPublisher>()), new MessageSinkOptions { Name = "mqtt", Node = node, SeqFromClock = seqFromClock });
    }

    private static ISink CreateVideoSink(string outPath, IReadOnlyList<IFrameSource> sources)
    {
        if (sources.Count == 1)
        {
            return new FfmpegVideoSink(new FfmpegVideoSinkOptions(outPath) { Fps = SourceBuilder.FpsOf(sources[0]) });
        }

        string dir = Path.GetDirectoryName(outPath) ?? string.Empty;
        string stem = Path.GetFileNameWithoutExtension(outPath);
        string ext = Path.GetExtension(outPath);
        return new PerSourceSink("video", meta =>
        {
            string safe = string.Concat(meta.SourceId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
            string path = Path.Combine(dir, $"{stem}.{meta.SourceIndex}-{safe}{ext}");
            return new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { Fps = SourceBuilder.FpsOf(sources[meta.SourceIndex]), Name = "video:" + meta.SourceId });
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "sink '{Name}': edge of {Capacity} frames, {Policy} when full")]
    private static partial void LogSink(ILogger logger, string name, int capacity, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "web view: {Address}")]
    private static partial void LogWebView(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no output chosen (--out, --meta or --show): frames are processed and counted only.")]
    private static partial void LogNoOutput(ILogger logger);
}
