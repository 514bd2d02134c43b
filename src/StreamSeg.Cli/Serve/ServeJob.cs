using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Run;
using StreamSeg.Cluster;
using StreamSeg.Configuration;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Pipeline;
using StreamSeg.Serving;
using StreamSeg.Sinks;
using StreamSeg.Web;

namespace StreamSeg.Cli.Serve;

/// <summary>
/// <c>streamseg serve</c> under the host: loads the models once, runs a <see cref="LivePipeline"/> with the web view
/// (and its stream API) and MQTT as shared sinks, starts the boot streams, and runs until SIGINT/SIGTERM; then every
/// stream's outputs are finalised and it exits 130 (SIGINT) or 143 (SIGTERM), as <c>run</c> does. In a cluster (<c>--cluster</c>) it waits until the
/// node is up, adds the config's streams to the cluster's desired list, and on a stop first leaves the cluster, which
/// hands its streams to the other nodes.
/// </summary>
internal sealed partial class ServeJob : ICliJob
{
    private readonly RunConfig _config;
    private readonly StreamHost _host;
    private readonly ServeSettings _settings;
    private readonly StreamApi _api;
    private readonly IStreamCatalog _catalog;
    private readonly IServiceProvider _services;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ModelLoader _models;
    private readonly SinkFactory _sinks;
    private readonly InterruptState _interrupts;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<ServeJob> _logger;
    private volatile bool _up;

    /// <summary>Creates the job.</summary>
    public ServeJob(
        RunConfig config,
        ServeSettings settings,
        StreamHost host,
        StreamApi api,
        IStreamCatalog catalog,
        ModelLoader models,
        SinkFactory sinks,
        InterruptState interrupts,
        IServiceProvider services,
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory)
    {
        _config = config;
        _settings = settings;
        _host = host;
        _api = api;
        _catalog = catalog;
        _services = services;
        _lifetime = lifetime;
        _models = models;
        _sinks = sinks;
        _interrupts = interrupts;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ServeJob>();
    }

    /// <inheritdoc/>
    public async Task<int> RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var models = new List<OnnxModel>();
        List<(IStage<Frame, Frame> Stage, PipelineStage Kind)>? stages = null;
        var shared = new List<SinkBinding>();
        WebViewServer? web = null;
        using PipelineMetrics? metrics = _config.Http is null ? null : new PipelineMetrics();
        var stats = new PipelineStats(metrics);
        try
        {
            OnnxSessionFactory factory = _models.CreateSessionFactory(_config);
            _models.Load(_config, factory, models);
            stats.Provider = models[0].Provider;
            OpenCvThreads.Apply(models, _logger);
            int streams = _host.MaxStreams > 0 ? _host.MaxStreams : 4;
            if (models.Exists(m => m.Provider == OnnxSessionFactory.ProviderName(ExecutionDevice.TensorRt)))
            {
                // As 'run' does for its sources: the engines are built now, for the frame sizes to expect and the batch
                // sizes the streams will make, so that a camera of those sizes never makes TensorRT build one mid-run.
                string sizes = string.Join(", ", _settings.ExpectedFrameSizes.Select(f => $"{f.Width}x{f.Height}"));
                LogEnginesAtStart(_logger, sizes);
                _models.WarmUp(models, _settings.ExpectedFrameSizes, ModelLoader.RequestedBatch(_config, streams));
            }

            // Inputs in CUDA pinned host memory on a GPU provider (managed on the CPU); the allocator lives as long as the process.
            IReadOnlyList<TensorMemory> inputMemories = new InputMemorySelector(factory.PinnedHostMemory, _loggerFactory.CreateLogger<InputMemorySelector>()).For(models);
            stages = StageComposer.Create(_config, models, streams, stats, _loggerFactory, forceDrawing: true, inputMemories: inputMemories);
            WebViewSink? view = null;
            if (_config.Http is string http)
            {
                view = new WebViewSink();
                shared.Add(new SinkBinding(view, new EdgeOptions(2, FrameDropPolicy.DropOldest)));
                web = await StartWebAsync(http, view, stats).ConfigureAwait(false);
            }

            if (_config.Mqtt is string mqtt)
            {
                shared.Add(new SinkBinding(_sinks.CreateMqttSink(mqtt, _host.NodeName, seqFromClock: _catalog is ClusterStreamCatalog), new EdgeOptions(64, FrameDropPolicy.DropOldest)));
            }

            await using var pipeline = new LivePipeline(PipelineOptions.Default, stats, stages, shared, _loggerFactory);
            pipeline.Start();
            _host.Attach(pipeline, view, stop);
            using (_interrupts.EnterPipeline())
            {
                ClusterStreams? cluster = null;
                try
                {
                    if (_catalog is ClusterStreamCatalog clusterCatalog)
                    {
                        cluster = await JoinAsync(clusterCatalog, stop).ConfigureAwait(false);
                    }
                    else
                    {
                        await _host.StartBootStreamsAsync(BootStreams(_config), stop).ConfigureAwait(false);
                    }

                        // After the boot streams: a supervisor (or a test) that waits for this line sees them listed.
                    _up = true;
                    LogServing(_logger, _host.NodeName, _host.MaxStreams);
                    await Task.WhenAny(Task.Delay(Timeout.Infinite, stop), pipeline.Completion!).ConfigureAwait(false);
                }
                finally
                {
                    // Not ready from now on: a load balancer stops sending requests while the node drains.
                    _up = false;
                    if (cluster is not null)
                    {
                        // Coordinated shutdown: each of this node's streams stops here (outputs finalised) and then
                        // starts on another node; the node leaves the cluster while its pipeline still runs.
                        LogLeaving(_logger);
                        await cluster.LeaveAsync().ConfigureAwait(false);
                    }

                    // Every stream's outputs are finalised (the desired list is left as it is: they come back on restart).
                    await _host.StopAllAsync().ConfigureAwait(false);
                    await pipeline.StopAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || abort.IsCancellationRequested)
        {
            // Stopped while loading or starting the boot streams.
        }
        finally
        {
            if (web is not null)
            {
                await web.DisposeAsync().ConfigureAwait(false);
            }

            foreach ((IStage<Frame, Frame> stage, _) in stages ?? [])
            {
                await stage.DisposeAsync().ConfigureAwait(false);
            }

            foreach (SinkBinding binding in shared)
            {
                await binding.Sink.DisposeAsync().ConfigureAwait(false);
            }

            foreach (OnnxModel m in models)
            {
                m.Dispose();
            }
        }

        return _interrupts.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    /// <summary>Waits until the host (and its actor system) has started and this node is up in the cluster, then adds the config's streams to the cluster.</summary>
    private async Task<ClusterStreams> JoinAsync(ClusterStreamCatalog catalog, CancellationToken stop)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stop).ConfigureAwait(false);
        }

        ClusterStreams cluster = _services.GetRequiredService<ClusterStreams>();
        await cluster.WhenUp.WaitAsync(stop).ConfigureAwait(false);
        catalog.Bind(cluster);
        LogJoined(_logger, cluster.SelfAddress);
        foreach (StreamSpec spec in BootStreams(_config))
        {
            try
            {
                await cluster.AddAsync(spec, stop).ConfigureAwait(false);
            }
            catch (StreamRequestException ex) when (ex.Error == StreamRequestError.Duplicate)
            {
                // Another node (or this one before a restart) added it already: the cluster runs it.
            }
            catch (StreamRequestException ex)
            {
                LogBootFailed(_logger, spec.Id, ex.Message);
            }
        }

        return cluster;
    }

    /// <summary>The streams of the config file: its sources, each with its id (or one made from its file name).</summary>
    internal static List<StreamSpec> BootStreams(RunConfig config)
    {
        var specs = new List<StreamSpec>();
        foreach (SourceConfig source in config.Sources)
        {
            string id = source.Id ?? MakeId(source.Uri);
            specs.Add(new StreamSpec(id, source.Uri, Loop: source.Loop));
        }

        return specs;
    }

    private static string MakeId(string uri)
    {
        string stem = uri.Contains("://", StringComparison.Ordinal) ? new Uri(uri).AbsolutePath.Trim('/').Replace('/', '-') : Path.GetFileNameWithoutExtension(uri);
        string safe = string.Concat(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')).TrimStart('.', '_', '-');
        return safe.Length == 0 ? "stream" : safe[..Math.Min(64, safe.Length)];
    }

    private async Task<WebViewServer> StartWebAsync(string http, WebViewSink view, PipelineStats stats)
    {
        WebViewOptions options;
        try
        {
            options = new WebViewOptions
            {
                Endpoint = WebViewOptions.ParseEndpoint(http),
                BearerToken = Environment.GetEnvironmentVariable("STREAMSEG_HTTP_TOKEN"),
                StreamList = _api.ListAsync,
                Api = _api.Map,
                ReadyWhenEmpty = true,
                IsUp = () => _up,
            };
        }
        catch (FormatException ex)
        {
            throw new ConfigException($"Option '--http': {ex.Message}", ex);
        }

        var web = new WebViewServer(options, view, stats, _loggerFactory);
        try
        {
            await web.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await web.DisposeAsync().ConfigureAwait(false);
            throw new OutputException($"Web view '{http}' (--http) could not listen: {ex.Message}", ex);
        }

        string address = web.BaseAddress?.ToString() ?? http;
        LogWebView(_logger, address);
        return web;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: up as {Address}")]
    private static partial void LogJoined(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster: leaving; handing this node's streams over")]
    private static partial void LogLeaving(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stream '{Id}' could not be added to the cluster: {Reason}")]
    private static partial void LogBootFailed(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "web view: {Address}")]
    private static partial void LogWebView(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "TensorRT: building the engines at start for frame sizes {Sizes} (--frame-size; a camera of another size gets its own engine, logged once)")]
    private static partial void LogEnginesAtStart(ILogger logger, string sizes);

    [LoggerMessage(Level = LogLevel.Information, Message = "serving as node '{Node}' (max streams {MaxStreams}; 0: no limit)")]
    private static partial void LogServing(ILogger logger, string node, int maxStreams);
}
