using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Cli.Run;
using StreamSeg.Cluster;
using StreamSeg.Configuration;
using StreamSeg.Pipeline;
using StreamSeg.Serving;
using StreamSeg.Sinks;
using StreamSeg.Web;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// The streams of <c>streamseg serve</c> over its <see cref="LivePipeline"/>: each stream is a source with its own
/// sinks (record, meta, publish) joining and leaving the running pipeline. Keeps the desired list in its file.
/// </summary>
/// <remarks>
/// Registered in the host's services as itself and as <see cref="IStreamHost"/>; the pipeline is attached by
/// <see cref="ServeJob"/> once the models are loaded, and requests wait for it. Starts and stops are serialised.
/// </remarks>
internal sealed partial class StreamHost : IStreamHost, IStreamCounterSource, IDisposable
{
    private readonly ServeSettings _settings;
    private readonly RunConfig _config;
    private readonly SourceBuilder _sources;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<StreamHost> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, ServedStream> _streams = new(StringComparer.Ordinal);
    private readonly List<StreamSpec> _desired = [];
    private readonly StreamEdgeMetrics _metrics;
    private LivePipeline? _pipeline;
    private WebViewSink? _view;
    private CancellationToken _stop;
    private volatile bool _closing;

    /// <summary>Creates the host; nothing runs before <see cref="Attach"/>.</summary>
    public StreamHost(ServeSettings settings, RunConfig config, SourceBuilder sources, ILoggerFactory loggerFactory)
    {
        _settings = settings;
        _config = config;
        _sources = sources;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<StreamHost>();
        _metrics = new StreamEdgeMetrics(() => Streams);
    }

    /// <inheritdoc/>
    public string NodeName => _settings.NodeName;

    /// <inheritdoc/>
    public int MaxStreams => _settings.MaxStreams;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> RunningIds
    {
        get
        {
            lock (_streams)
            {
                return [.. _streams.Keys];
            }
        }
    }

    /// <summary>Gets how many streams still run (ended and failed ones are listed but take no capacity).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_streams)
            {
                int n = 0;
                foreach (ServedStream s in _streams.Values)
                {
                    n += s.Live.State is LiveSourceState.Live or LiveSourceState.Stopping ? 1 : 0;
                }

                return n;
            }
        }
    }

    /// <summary>Gets the streams, in the order they were added.</summary>
    public IReadOnlyList<ServedStream> Streams
    {
        get
        {
            lock (_streams)
            {
                var list = new List<ServedStream>(_streams.Values);
                list.Sort(static (a, b) => a.Live.Index.CompareTo(b.Live.Index));
                return list;
            }
        }
    }

    /// <summary>Gets the stream <paramref name="id"/>, or null.</summary>
    public ServedStream? Find(string id)
    {
        lock (_streams)
        {
            return _streams.GetValueOrDefault(id);
        }
    }

    /// <inheritdoc/>
    public StreamCountersSnapshot? GetCounters(string id)
    {
        if (Find(id) is not { } stream)
        {
            return null;
        }

        StreamDetail d = stream.Detail();
        StreamCounters c = d.Counters;
        return new StreamCountersSnapshot(d.State, d.Fps, c.FramesIn, c.FramesOut, c.Drops, c.Reconnects, c.E2eP50Ms, c.E2eP95Ms, d.Error);
    }

    /// <summary>Binds the running pipeline (and the web view, whose cards follow the streams); requests may start from now on.</summary>
    public void Attach(LivePipeline pipeline, WebViewSink? view, CancellationToken stop)
    {
        _pipeline = pipeline;
        _view = view;
        _stop = stop;
        _attached.TrySetResult();
    }

    /// <summary>Starts the streams of the desired file (when it exists) or else of <paramref name="fromConfig"/>; one that cannot start is logged and kept in the list.</summary>
    public async Task StartBootStreamsAsync(IReadOnlyList<StreamSpec> fromConfig, CancellationToken cancellationToken)
    {
        List<StreamSpec> boot = (_settings.DesiredFile is string file ? DesiredStreams.Load(file) : null) ?? [.. fromConfig];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _desired.Clear();
            _desired.AddRange(boot);
            SaveDesired();
        }
        finally
        {
            _gate.Release();
        }

        foreach (StreamSpec spec in boot)
        {
            try
            {
                await StartCoreAsync(spec, persist: false, cancellationToken).ConfigureAwait(false);
            }
            catch (StreamRequestException ex)
            {
                LogBootFailed(_logger, spec.Id, ex.Message);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask StartAsync(StreamSpec spec, CancellationToken cancellationToken = default) => new(StartCoreAsync(spec, persist: true, cancellationToken));

    /// <inheritdoc/>
    public async ValueTask<bool> StopAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ServedStream? stream = Find(id);
            if (stream is null)
            {
                return false;
            }

            await stream.Stop.CancelAsync().ConfigureAwait(false);
            await _pipeline!.RemoveAsync(stream.Live).ConfigureAwait(false);
            _pipeline.Forget(stream.Live);
            stream.Stop.Dispose();
            _view?.RemoveSource(stream.Live.Index);
            lock (_streams)
            {
                _streams.Remove(id);
            }

            _desired.RemoveAll(s => s.Id == id);
            SaveDesired();
            LogStopped(_logger, id);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops every stream (finalising its outputs) without changing the desired list: the node is shutting down.</summary>
    public async Task StopAllAsync()
    {
        _closing = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_pipeline is null)
            {
                return;
            }

            List<ServedStream> all;
            lock (_streams)
            {
                all = [.. _streams.Values];
            }

            foreach (ServedStream s in all)
            {
                await s.Stop.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(all.ConvertAll(s => _pipeline.RemoveAsync(s.Live))).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task StartCoreAsync(StreamSpec spec, bool persist, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        StreamSpecParser.Validate(spec);
        ThrowIfClosing();
        await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosing();
            if (Find(spec.Id) is not null)
            {
                throw new StreamRequestException(StreamRequestError.Duplicate, $"id: stream '{spec.Id}' exists already");
            }

            if (_settings.MaxStreams > 0 && ActiveCount >= _settings.MaxStreams)
            {
                throw new StreamRequestException(StreamRequestError.Full, $"this node runs --max-streams {_settings.MaxStreams} streams already");
            }

            LivePipeline pipeline = _pipeline!;
            int index = pipeline.ReserveIndex();
            ServedStream? served = null;
            IFrameSource source;

            // The stream's own stop ends a reconnecting source's waits when the stream is removed, not only at shutdown.
            var streamStop = CancellationTokenSource.CreateLinkedTokenSource(_stop);
            try
            {
                source = await Task.Run(() => _sources.OpenOne(_config, spec.Source, spec.Id, index, change => OnHealth(change, () => served), streamStop.Token, spec.Loop), cancellationToken).ConfigureAwait(false);
                if (spec.Loop)
                {
                    source = new PacedSource(source);
                }
            }
            catch (Exception ex) when (ex is SourceException or IOException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                streamStop.Dispose();
                throw new StreamRequestException(StreamRequestError.Invalid, $"source: cannot be opened: {UrlRedactor.Redact(ex.Message)}");
            }

            List<SinkBinding> sinks;
            try
            {
                sinks = CreateSinks(spec, source);
            }
            catch
            {
                source.Dispose();
                streamStop.Dispose();
                throw;
            }

            served = new ServedStream(spec, pipeline.Add(source, sinks, index), _settings.NodeName, streamStop);
            lock (_streams)
            {
                _streams[spec.Id] = served;
            }

            if (persist)
            {
                _desired.RemoveAll(s => s.Id == spec.Id);
                _desired.Add(spec);
                SaveDesired();
            }

            string shown = UrlRedactor.Redact(spec.Source);
            LogStarted(_logger, spec.Id, shown);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ThrowIfClosing()
    {
        if (_closing || _stop.IsCancellationRequested)
        {
            throw new StreamRequestException(StreamRequestError.Unavailable, "the node is shutting down");
        }
    }

    private List<SinkBinding> CreateSinks(StreamSpec spec, IFrameSource source)
    {
        var fileEdge = new EdgeOptions(8, source.IsLive ? FrameDropPolicy.DropOldest : FrameDropPolicy.Wait);
        var sinks = new List<SinkBinding>();
        if (spec.Record is string record)
        {
            sinks.Add(new SinkBinding(new FfmpegVideoSink(new FfmpegVideoSinkOptions(record) { Fps = SourceBuilder.FpsOf(source), Name = "video:" + spec.Id }), fileEdge));
        }

        if (spec.Meta is string meta)
        {
            sinks.Add(new SinkBinding(new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = meta, Name = "metadata:" + spec.Id }), fileEdge));
        }

        if (spec.Publish is string publish)
        {
            var options = new RtspPublishSinkOptions(publish) { Fps = SourceBuilder.FpsOf(source), Transport = _config.PublishTransport };
            sinks.Add(new SinkBinding(new RtspPublishSink(options, _loggerFactory.CreateLogger<RtspPublishSink>()), new EdgeOptions(2, FrameDropPolicy.DropOldest)));
        }

        return sinks;
    }

    private void OnHealth(SourceStateChange change, Func<ServedStream?> stream)
    {
        if (change.State == SourceState.Live && change.Offline is not null)
        {
            stream()?.Live.CountReconnect();
        }

        _view?.WriteHealth(change);
    }

    /// <summary>Releases the start/stop gate (the container disposes the host after the job has stopped every stream).</summary>
    public void Dispose()
    {
        _metrics.Dispose();
        _gate.Dispose();
    }

    private void SaveDesired()
    {
        if (_settings.DesiredFile is string file)
        {
            DesiredStreams.Save(file, _desired);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "stream '{Id}' started: {Source}")]
    private static partial void LogStarted(ILogger logger, string id, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "stream '{Id}' stopped; its outputs are finalised")]
    private static partial void LogStopped(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stream '{Id}' could not start: {Reason}")]
    private static partial void LogBootFailed(ILogger logger, string id, string reason);
}
