using System.Globalization;
using System.Runtime.InteropServices;
using StreamSeg.Capture;
using StreamSeg.Configuration;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Overlay;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;
using StreamSeg.Sinks;
using StreamSeg.Tracking;
using StreamSeg.Web;

namespace StreamSeg.Cli;

/// <summary><c>streamseg run</c>: the composition root that turns settings into a pipeline and runs it.</summary>
internal static class RunCommand
{
    public const string Help = """
        streamseg run — segment, estimate pose and track on one or more sources

        Usage: streamseg run --source <src> [--source <src2> …] --model <model.onnx> [options]

        Sources (--source, repeatable; several sources share one model session):
          video.mp4 | clip.avi …   any file FFmpeg reads (never drops a frame)
          camera:0 | /dev/video0   a V4L2 camera (live: drops the oldest frame when behind)
          rtsp://user:pw@host/path an RTSP/HTTP stream (live; credentials are never printed)
          ./frames/                a folder of images, in name order

        Models (none named: the 'people' preset — MoveNet MultiPose keypoints + Robust Video Matting masks, from models/;
        'streamseg models fetch' or ./run.sh puts them there):
          --detector centernet     people preset: also detect the other COCO classes (boxes)
          --pose-size <n>          MoveNet input long side, multiple of 32 (default 512; 256 is faster, finds fewer small people)
          --models-dir <dir>       where the preset's models and bare --model names are (default: $STREAMSEG_MODELS or ./models)
          --model <file.onnx|name> segmentation/detection/pose model (YOLOv8/YOLO11 -seg/-pose, Mask R-CNN, Keypoint R-CNN);
                                   a bare name is <models-dir>/<name>.onnx
          --pose-model <file.onnx> a pose model run on the same frames; poses attach to the person they overlap
          --adapter <name>         force the adapter of --model: auto (default), yolo-seg, yolo-pose, maskrcnn,
                                   keypointrcnn, movenet-multipose, rvm, selfie, centernet
          --device <d>             auto (TensorRT → CUDA → CPU, default), cpu, cuda, tensorrt
          --threads <n>            ONNX Runtime intra-op threads (default: one per core)
          --batch <n>              most frames per inference run, across sources (default: one per source, at most
                                   8; only models with a free batch dimension batch, the others run frame by frame)
          --engine-cache <dir>     where TensorRT engines are cached (default models/cache/tensorrt; 'streamseg
                                   models build-engine --cache-dir' prebuilds them there)
          --upload auto|uint8|float  how frames reach the models: uint8 BGR with the cast/scale/layout prepended to
                                   each model as a graph (runs on the GPU; a quarter of the bytes to copy), or float
                                   tensors made on the CPU; auto (default) = uint8 when a GPU provider loads
          --conf <0..1>            confidence threshold (default: 0.25 for YOLO, 0.5 for R-CNN)
          --iou <0..1>             NMS IoU threshold (default 0.7)

        Outputs:
          --out <file.mp4>         annotated H.264 MP4 (one per source: name.<source>.mp4 with several sources)
          --meta <file.ndjson>     per-frame metadata, one JSON line per frame (schema in README.md)
          --show                   a live window when a display exists (ignored, with a note, when headless)
          --publish <rtsp://…>     push the annotated video as H.264 to an RTSP server (MediaMTX, a relay…); if the
                                   server goes away, frames are dropped and counted and the push reconnects
          --publish-transport udp|tcp   RTSP transport of --publish (default udp)
          --http <addr:port>       live web view: every stream's annotated video (MJPEG) and live figures, plus
                                   /api/streams, /health and Prometheus /metrics (e.g. 127.0.0.1:8080; set
                                   STREAMSEG_HTTP_TOKEN to require a bearer token for all but /health)
          --mqtt <url>             per-frame metadata (same schema as --meta) to an MQTT broker:
                                   mqtt://[user:pass@]host[:port]/topic-prefix[?qos=0|1] → <prefix>/<source>

        Behaviour:
          --config <file.yaml>     settings from a YAML file (see configs/); flags override it
          --max-frames <n>         stop each source after n frames
          --pace                   read files at their own frame rate (a live-like run)
          --loop                   loop file sources forever (a simulated live source)
          --rtsp-transport tcp|udp RTSP transport (default tcp)
          --stall-timeout <s>      a live source with no frame for this long is stalled and reopened (default 5)
          --no-reconnect           end a live source when it stalls or fails instead of reopening it
          --reconnect-attempts <n> give up after n failed reopen attempts in a row (default 0: never)
          --no-track               no tracking (no track ids)
          --track-thresh <0..1>    score that starts and first-matches a track (default 0.5; people preset 0.25)
          --no-masks --no-boxes --no-labels --no-keypoints --no-hud   switch overlay parts off
          --report-every <s>       log a stats line (frames, fps, drops, reconnects, managed heap, RSS) every s seconds
          --verbose                stack traces on errors, more log lines

        Ctrl+C stops reading, drains the pipeline and finalises every output; a second Ctrl+C stops at once
        (outputs are still finalised). SIGTERM is a first Ctrl+C.
        """;

    private static readonly string[] s_valued =
        ["--source", "--model", "--pose-model", "--adapter", "--device", "--threads", "--batch", "--upload", "--engine-cache", "--out", "--meta", "--config", "--conf", "--iou", "--max-frames", "--rtsp-transport", "--detector", "--pose-size", "--models-dir", "--track-thresh", "--reconnect-attempts", "--stall-timeout", "--report-every", "--mqtt", "--http", "--publish", "--publish-transport"];

    private static readonly string[] s_flags =
        ["--show", "--verbose", "--pace", "--loop", "--no-reconnect", "--no-track", "--no-masks", "--no-boxes", "--no-labels", "--no-keypoints", "--no-hud", "--help"];

    public static async Task<int> ExecuteAsync(string[] args)
    {
        CliArguments a = CliArguments.Parse(args, s_valued, s_flags);
        if (a.Has("--help"))
        {
            Console.WriteLine(Help);
            return ExitCodes.Ok;
        }

        if (a.Positional.Count > 0)
        {
            throw new ConfigException($"Unexpected argument '{a.Positional[0]}' (sources are given with --source; see 'streamseg run --help').");
        }

        RunConfig config = BuildConfig(a);
        var log = new ConsoleLog(a.Has("--verbose"));
        return await RunAsync(config, log).ConfigureAwait(false);
    }

    /// <summary>Merges the config file (if any) with the flags, flags winning, and validates the result.</summary>
    public static RunConfig BuildConfig(CliArguments a)
    {
        RunConfig config = a.Value("--config") is string path ? RunConfigLoader.Load(path) : new RunConfig();
        IReadOnlyList<string> sources = a.Values("--source");
        if (sources.Count > 0)
        {
            config.Sources = [];
            foreach (string s in sources)
            {
                config.Sources.Add(new SourceConfig { Uri = s });
            }
        }

        foreach (SourceConfig s in config.Sources)
        {
            s.Loop |= a.Has("--loop");
            s.RtspTransport = a.Value("--rtsp-transport") ?? s.RtspTransport;
        }

        config.Model = a.Value("--model") ?? config.Model;
        config.Detector = a.Value("--detector") ?? config.Detector;
        config.TrackThreshold = a.Float("--track-thresh") ?? config.TrackThreshold;
        config.Reconnect &= !a.Has("--no-reconnect");
        config.ReconnectAttempts = (int)(a.Long("--reconnect-attempts") ?? config.ReconnectAttempts);
        config.StallTimeout = a.Float("--stall-timeout") ?? config.StallTimeout;
        config.ReportEvery = a.Float("--report-every") ?? config.ReportEvery;
        config.Mqtt = a.Value("--mqtt") ?? config.Mqtt;
        config.Http = a.Value("--http") ?? config.Http;
        config.Publish = a.Value("--publish") ?? config.Publish;
        config.PublishTransport = a.Value("--publish-transport") ?? config.PublishTransport;
        config.PoseSize = (int)(a.Long("--pose-size") ?? config.PoseSize);
        config.ModelsDir = a.Value("--models-dir") ?? config.ModelsDir;
        config.PoseModel = a.Value("--pose-model") ?? config.PoseModel;
        config.Adapter = a.Value("--adapter") ?? config.Adapter;
        config.Device = a.Value("--device") ?? config.Device;
        config.Threads = (int)(a.Long("--threads") ?? config.Threads);
        config.Batch = (int)(a.Long("--batch") ?? config.Batch);
        config.Upload = a.Value("--upload") ?? config.Upload;
        config.EngineCache = a.Value("--engine-cache") ?? config.EngineCache;
        config.Out = a.Value("--out") ?? config.Out;
        config.Meta = a.Value("--meta") ?? config.Meta;
        config.Show |= a.Has("--show");
        config.Confidence = a.Float("--conf") ?? config.Confidence;
        config.Iou = a.Float("--iou") ?? config.Iou;
        config.MaxFrames = a.Long("--max-frames") ?? config.MaxFrames;
        config.Pace |= a.Has("--pace");
        config.Track &= !a.Has("--no-track");
        config.Overlay.Masks &= !a.Has("--no-masks");
        config.Overlay.Boxes &= !a.Has("--no-boxes");
        config.Overlay.Labels &= !a.Has("--no-labels");
        config.Overlay.Keypoints &= !a.Has("--no-keypoints");
        config.Overlay.Hud &= !a.Has("--no-hud");
        RunConfigLoader.Validate(config, "command line");
        if (config.Sources.Count == 0)
        {
            throw new ConfigException("No source given: pass --source <file|camera:N|/dev/videoN|folder|rtsp://…> (see 'streamseg run --help').");
        }

        if (config.Detector != "none" && (config.Model is not null || config.PoseModel is not null))
        {
            throw new ConfigException("--detector belongs to the people preset: it cannot be combined with --model or --pose-model.");
        }

        if (config.Adapter != "auto" && !ModelAdapterFactory.Names.Contains(config.Adapter))
        {
            throw new ConfigException($"Adapter '{config.Adapter}' is not one of auto, {string.Join(", ", ModelAdapterFactory.Names)}.");
        }

        return config;
    }

    internal static async Task<int> RunAsync(RunConfig config, ConsoleLog log, Action<PipelineResult, PipelineStats>? onDone = null, Action<PipelineStats>? onStart = null)
    {
        // Outputs are checked before anything slow happens, so a typo in a path fails at once.
        CheckWritable(config.Out, "--out");
        CheckWritable(config.Meta, "--meta");

        var factory = new OnnxSessionFactory(
            new SessionFactoryOptions(ParseDevice(config.Device), IntraOpThreads: config.Threads, EngineCacheRoot: config.EngineCache),
            new ConsoleLogLogger<OnnxSessionFactory>(log));
        AdapterOptions adapterOptions = AdapterOptionsFor(config);
        var models = new List<OnnxModel>();
        var sources = new List<IFrameSource>();
        using PipelineMetrics? metrics = config.Http is null ? null : new PipelineMetrics();
        var stats = new PipelineStats(metrics);
        onStart?.Invoke(stats);

        // Sinks that report source health; filled when the sinks are made, after the sources.
        var healthSinks = new List<IHealthSink>();

        // Created before the sources: a reconnecting source waits on the stop token between attempts.
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        try
        {
            LoadModels(config, factory, adapterOptions, models, log);

            stats.Provider = models[0].Provider;
            log.Info($"execution provider: {models[0].Provider} (ONNX Runtime {OnnxSessionFactory.OrtVersion})");

            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (SourceConfig sc in config.Sources)
            {
                IFrameSource source = SourceFactory.Create(new SourceOptions(sc.Uri, sc.Id, sc.RtspTransport, ReadTimeout: TimeSpan.FromSeconds(config.StallTimeout), Loop: sc.Loop));
                if (!ids.Add(source.Id))
                {
                    // The same file or stream given twice: its copies get ids of their own (metadata, topics, web view).
                    string id = source.Id;
                    int copy = 2;
                    while (ids.Contains($"{id}-{copy}"))
                    {
                        copy++;
                    }

                    log.Info($"source '{id}' is given more than once: this one is '{id}-{copy}'");
                    source.Dispose();
                    source = SourceFactory.Create(new SourceOptions(sc.Uri, $"{id}-{copy}", sc.RtspTransport, ReadTimeout: TimeSpan.FromSeconds(config.StallTimeout), Loop: sc.Loop));
                    ids.Add(source.Id);
                }

                if (config.Reconnect && source.Kind is SourceKind.Stream or SourceKind.Camera)
                {
                    source = new ReconnectingSource(
                        source,
                        sources.Count,
                        ReconnectOptions.Default with { Policy = ReconnectPolicy.Default with { MaxAttempts = config.ReconnectAttempts } },
                        change =>
                        {
                            if (change.State == SourceState.Live && change.Offline is not null)
                            {
                                stats.CountReconnect();
                            }

                            LogStateChange(change, log);
                            foreach (IHealthSink sink in healthSinks)
                            {
                                sink.WriteHealth(change);
                            }
                        },
                        stop.Token);
                }

                if (config.MaxFrames > 0)
                {
                    source = new LimitedSource(source, config.MaxFrames);
                }

                sources.Add(source);
                source.Open();
                log.Info($"source '{source.Id}': {source.Kind.ToString().ToLowerInvariant()}, {source.Width}×{source.Height}"
                    + (source.Fps > 0 ? string.Create(CultureInfo.InvariantCulture, $" @ {source.Fps:0.##} fps") : string.Empty)
                    + (source.FrameCount is long n ? $", {n} frames" : string.Empty)
                    + (source.IsLive ? " (live: drops oldest when behind)" : " (lossless)"));
            }

            int requested = RequestedBatch(config, sources.Count);
            foreach (OnnxModel model in models)
            {
                model.WarmUp(sources[0].Width, sources[0].Height);
                if (model.WarmUpBatch(sources[0].Width, sources[0].Height, requested) is string why)
                {
                    log.Warn($"model '{model.Path}': declares a free batch dimension but a batch of {requested} fails ({why}); it runs frame by frame");
                }
            }

            LogBatching(models, requested, log);

            return await RunPipelineAsync(config, models, sources, stats, log, onDone, stop, abort, healthSinks).ConfigureAwait(false);
        }
        finally
        {
            foreach (IFrameSource s in sources)
            {
                s.Dispose();
            }

            foreach (OnnxModel m in models)
            {
                m.Dispose();
            }
        }
    }

    private static void LogStateChange(SourceStateChange change, ConsoleLog log)
    {
        string text = change.State switch
        {
            SourceState.Live when change.Offline is TimeSpan offline => string.Create(CultureInfo.InvariantCulture, $"source '{change.SourceId}': live again after {offline.TotalSeconds:0.0} s offline (reconnect {change.Reconnects})"),
            SourceState.Live => $"source '{change.SourceId}': live",
            SourceState.Stalled => $"source '{change.SourceId}': stalled ({change.Reason})",
            SourceState.Reconnecting => $"source '{change.SourceId}': reconnecting with backoff (placeholder frames until it is back)",
            _ => $"source '{change.SourceId}': {change.State.ToString().ToLowerInvariant()}{(change.Reason is null ? string.Empty : $" ({change.Reason})")}",
        };
        if (change.State is SourceState.Stalled)
        {
            log.Warn(text);
        }
        else
        {
            log.Info(text);
        }
    }

    private static async Task<int> RunPipelineAsync(RunConfig config, List<OnnxModel> models, List<IFrameSource> sources, PipelineStats stats, ConsoleLog log, Action<PipelineResult, PipelineStats>? onDone, CancellationTokenSource stop, CancellationTokenSource abort, List<IHealthSink> healthSinks)
    {
        var stages = new List<(IStage<Frame, Frame>, PipelineStage)>
        {
            (new PreprocessStage(models.ConvertAll(m => m.Input)), PipelineStage.Preprocess),
            (new InferenceStage(models, BatchSize(config, sources.Count, models)), PipelineStage.Inference),
            (new DecodeStage(models.ConvertAll(m => m.Adapter), splitter: models.Exists(m => m.Adapter is IMatteAdapter) ? new MatteSplitter(MatteSplitterOptions.Default) : null), PipelineStage.Decode),
        };
        if (config.Track)
        {
            bool preset = config.Model is null && config.PoseModel is null;
            float high = config.TrackThreshold ?? (preset ? 0.25f : 0.5f);
            var tracker = new ByteTrackerOptions
            {
                TrackHighThreshold = high,
                NewTrackThreshold = preset && config.TrackThreshold is null ? high : Math.Min(1f, high + 0.1f),
                TrackLowThreshold = Math.Min(0.1f, high / 2),

                // Fusing the score into the IoU cost (Ultralytics' default) suits detectors whose scores are near 1;
                // MoveNet's person scores of 0.2–0.5 would push every match past the gate.
                FuseScore = !preset,
            };
            stages.Add((new TrackingStage(tracker), PipelineStage.Tracking));
        }

        bool drawing = config.Out is not null || config.Show || config.Http is not null || config.Publish is not null;
        if (drawing)
        {
            var overlay = new OverlayOptions
            {
                Masks = config.Overlay.Masks,
                Boxes = config.Overlay.Boxes,
                Labels = config.Overlay.Labels,
                Scores = config.Overlay.Labels,
                TrackIds = config.Overlay.Labels && config.Track,
                Keypoints = config.Overlay.Keypoints,
                Hud = config.Overlay.Hud,
                MaskAlpha = config.Overlay.MaskAlpha,
                KeypointThreshold = config.Overlay.KeypointThreshold,
            };
            stages.Add((new OverlayStage(new OverlayComposer(overlay, stats)), PipelineStage.Overlay));
        }

        bool anyLive = sources.Exists(s => s.IsLive);
        EdgeOptions sinkEdge = anyLive ? new EdgeOptions(8, FrameDropPolicy.DropOldest) : new EdgeOptions(8, FrameDropPolicy.Wait);
        var sinks = new List<SinkBinding>();
        WebViewServer? web = null;
        try
        {
            if (config.Http is string http)
            {
                var view = new WebViewSink();
                for (int i = 0; i < sources.Count; i++)
                {
                    view.RegisterSource(i, sources[i].Id);
                }

                sinks.Add(new SinkBinding(view, new EdgeOptions(2, FrameDropPolicy.DropOldest)));
                WebViewOptions webOptions;
                try
                {
                    webOptions = new WebViewOptions { Endpoint = WebViewOptions.ParseEndpoint(http), BearerToken = Environment.GetEnvironmentVariable("STREAMSEG_HTTP_TOKEN") };
                }
                catch (FormatException ex)
                {
                    throw new ConfigException($"Option '--http': {ex.Message}", ex);
                }

                web = new WebViewServer(webOptions, view, stats, ConsoleLogLoggerProvider.CreateFactory(log));
                try
                {
                    await web.StartAsync().ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new OutputException($"Web view '{http}' (--http) could not listen: {ex.Message}", ex);
                }

                log.Info($"web view: {web.BaseAddress}");
            }

            if (config.Out is string outPath)
            {
                sinks.Add(new SinkBinding(CreateVideoSink(outPath, sources), sinkEdge));
            }

            if (config.Meta is string metaPath)
            {
                sinks.Add(new SinkBinding(new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = metaPath }), sinkEdge));
            }

            if (config.Publish is string publishUrl)
            {
                if (sources.Count > 1)
                {
                    throw new ConfigException("--publish takes one source: an RTSP path carries one video (run one streamseg per published stream).");
                }

                sinks.Add(new SinkBinding(
                    new RtspPublishSink(new RtspPublishSinkOptions(publishUrl) { Fps = FpsOf(sources[0]), Transport = config.PublishTransport }),
                    new EdgeOptions(2, FrameDropPolicy.DropOldest)));
            }

            if (config.Mqtt is string mqttUrl)
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

                sinks.Add(new SinkBinding(new MessageSink(new MqttPublisher(mqtt), new MessageSinkOptions { Name = "mqtt" }), new EdgeOptions(8, FrameDropPolicy.DropOldest)));
            }

            foreach (SinkBinding binding in sinks)
            {
                if (binding.Sink is IHealthSink health)
                {
                    healthSinks.Add(health);
                }
            }

            if (config.Show)
            {
                sinks.Add(new SinkBinding(new WindowSink(new WindowSinkOptions()), new EdgeOptions(2, FrameDropPolicy.DropOldest)));
            }

            if (sinks.Count == 0)
            {
                log.Warn("no output chosen (--out, --meta or --show): frames are processed and counted only.");
            }

            var runner = new PipelineRunner(PipelineOptions.Default with { Pace = config.Pace }, stats);
            int interrupts = 0;
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                int n = Interlocked.Increment(ref interrupts);
                if (n == 1)
                {
                    log.Warn("interrupted: draining the pipeline and finalising outputs (Ctrl+C again to stop at once)");
                    stop.Cancel();
                }
                else
                {
                    abort.Cancel();
                }
            };
            Console.CancelKeyPress += onCancel;
            using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                Interlocked.Increment(ref interrupts);
                stop.Cancel();
            });

            long? total = null;
            foreach (IFrameSource s in sources)
            {
                total = s.FrameCount is long n && !s.IsLive ? (total ?? 0) + n : total;
            }

            PipelineResult result;
            try
            {
                await using (var progress = new ProgressReporter(stats, total))
                await using (var report = config.ReportEvery > 0 ? new StatsReporter(stats, TimeSpan.FromSeconds(config.ReportEvery), log) : null)
                {
                    result = await runner.RunAsync(sources, stages, sinks, stop.Token, abort.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }

            for (int i = 0; i < sources.Count && result.FramesPerSource is not null; i++)
            {
                // FFmpeg skips what it cannot decode: the shortfall against the container's frame count is what was lost.
                if (!result.Cancelled && !sources[i].IsLive && sources[i].FrameCount is long expected && result.FramesPerSource[i] < expected)
                {
                    log.Warn($"source '{sources[i].Id}': {result.FramesPerSource[i]} of {expected} frames decoded; {expected - result.FramesPerSource[i]} could not be (corrupt or truncated file) and were skipped");
                }
            }

            if (onDone is null)
            {
                PrintSummary(result, stats, config);
            }
            else
            {
                onDone(result, stats);
            }

            return interrupts > 0 ? ExitCodes.Interrupted : ExitCodes.Ok;
        }
        finally
        {
            if (web is not null)
            {
                await web.DisposeAsync().ConfigureAwait(false);
            }

            foreach ((IStage<Frame, Frame> stage, _) in stages)
            {
                await stage.DisposeAsync().ConfigureAwait(false);
            }

            foreach (SinkBinding sink in sinks)
            {
                await sink.Sink.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static ISink CreateVideoSink(string outPath, List<IFrameSource> sources)
    {
        if (sources.Count == 1)
        {
            return new FfmpegVideoSink(new FfmpegVideoSinkOptions(outPath) { Fps = FpsOf(sources[0]) });
        }

        string dir = Path.GetDirectoryName(outPath) ?? string.Empty;
        string stem = Path.GetFileNameWithoutExtension(outPath);
        string ext = Path.GetExtension(outPath);
        return new PerSourceSink("video", meta =>
        {
            string safe = string.Concat(meta.SourceId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
            string path = Path.Combine(dir, $"{stem}.{meta.SourceIndex}-{safe}{ext}");
            return new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { Fps = FpsOf(sources[meta.SourceIndex]), Name = "video:" + meta.SourceId });
        });
    }

    /// <summary>Loads the models a run uses, in run order: the people preset when none is named, else --model then --pose-model.</summary>
    internal static void LoadModels(RunConfig config, OnnxSessionFactory factory, AdapterOptions adapterOptions, List<OnnxModel> models, ConsoleLog log)
    {
        IPixelInputComposer? composer = PixelComposerFor(config, factory, log);
        if (config.Model is null && config.PoseModel is null)
        {
            LoadPeoplePreset(config, factory, adapterOptions, composer, models, log);
        }

        // A bare name (no folder, no extension) is a model in the models folder, as for 'models build-engine'.
        string modelsDir = config.ModelsDir ?? ModelsCommand.DefaultModelsDirectory;
        if (config.Model is not null)
        {
            models.Add(LoadModel(ModelsCommand.ResolveModel(config.Model, modelsDir), config.Adapter == "auto" ? null : config.Adapter, factory, adapterOptions, composer, log));
        }

        if (config.PoseModel is not null)
        {
            OnnxModel pose = LoadModel(ModelsCommand.ResolveModel(config.PoseModel, modelsDir), null, factory, adapterOptions, composer, log);
            if (pose.Adapter.Task != ModelTask.Pose)
            {
                pose.Dispose();
                throw new ModelLoadException($"Model '{config.PoseModel}' given as --pose-model is a {pose.Adapter.Task.ToString().ToLowerInvariant()} model (adapter {pose.Adapter.Name}); expected a pose model.");
            }

            models.Add(pose);
        }
    }

    /// <summary>
    /// How frames reach the models (<see cref="RunConfig.Upload"/>): <c>uint8</c> prepends each model's pixel
    /// preprocessing as a graph and uploads the resized BGR bytes; <c>float</c> converts on the CPU; <c>auto</c> picks
    /// uint8 when the models will run on a GPU (TensorRT or CUDA loads) and float on the CPU, where the conversion is
    /// better left to the preprocess thread than added to inference.
    /// </summary>
    private static IPixelInputComposer? PixelComposerFor(RunConfig config, OnnxSessionFactory factory, ConsoleLog log)
    {
        bool bytes = config.Upload switch
        {
            "uint8" => true,
            "float" => false,
            _ => factory.ProbeDevice() != ExecutionDevice.Cpu,
        };
        if (bytes)
        {
            log.Info("input upload: uint8 BGR frames; each model's cast, channel order, scale and layout run inside the model (on the GPU when its provider is one)");
        }

        return bytes ? new GraphPixelInputComposer() : null;
    }

    /// <summary>
    /// The people preset: MoveNet MultiPose (person boxes and 17 keypoints) at <see cref="RunConfig.PoseSize"/>,
    /// optionally CenterNet for the other COCO classes, and the RVM matte split into one mask per person.
    /// </summary>
    private static void LoadPeoplePreset(RunConfig config, OnnxSessionFactory factory, AdapterOptions options, IPixelInputComposer? composer, List<OnnxModel> models, ConsoleLog log)
    {
        string dir = config.ModelsDir ?? ModelsCommand.DefaultModelsDirectory;
        var names = new List<string> { "movenet-multipose" };
        if (config.Detector == "centernet")
        {
            names.Add("centernet");
        }

        names.Add("rvm");
        foreach (string name in names)
        {
            string path = Path.Combine(dir, name + ".onnx");
            if (!File.Exists(path))
            {
                throw new ModelLoadException($"Model '{path}' of the people preset is missing: run 'streamseg models fetch' (./run.sh does it on first use), or name a model with --model.");
            }
        }

        log.Info($"preset people: {string.Join(" + ", names)} from {dir} (pose input long side {config.PoseSize})");
        models.Add(LoadModel(Path.Combine(dir, "movenet-multipose.onnx"), "movenet-multipose", factory, options, composer, log));
        if (config.Detector == "centernet")
        {
            models.Add(LoadModel(Path.Combine(dir, "centernet.onnx"), "centernet", factory, options, composer, log));
        }

        models.Add(LoadModel(Path.Combine(dir, "rvm.onnx"), "rvm", factory, options, composer, log));
    }

    private static double FpsOf(IFrameSource source) => source.Fps > 0 ? source.Fps : 25;

    private static OnnxModel LoadModel(string path, string? adapter, OnnxSessionFactory factory, AdapterOptions options, IPixelInputComposer? composer, ConsoleLog log)
    {
        try
        {
            var model = new OnnxModel(path, factory, adapter, options, composer);
            log.Info($"model '{path}': adapter {model.Adapter.Name}, task {model.Adapter.Task.ToString().ToLowerInvariant()}, input {Describe(model.Input)}, {model.Adapter.ClassNames.Count} classes, provider {model.Provider}");
            return model;
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelLoadException(ex.Message, ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelLoadException(ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelLoadException(ex.Message, ex);
        }
    }

    internal static AdapterOptions AdapterOptionsFor(RunConfig config) => new() { ConfidenceThreshold = config.Confidence, IouThreshold = config.Iou, LongSide = config.PoseSize };

    /// <summary>The batch asked for: <see cref="RunConfig.Batch"/>, or one per source (at most 8).</summary>
    internal static int RequestedBatch(RunConfig config, int sources) => config.Batch > 0 ? config.Batch : Math.Clamp(sources, 1, 8);

    /// <summary>
    /// The most frames per inference call: the batch asked for when a model can batch, else 1 (gathering frames for
    /// models that run them one by one anyway would only make the first of them wait for the others).
    /// </summary>
    internal static int BatchSize(RunConfig config, int sources, List<OnnxModel> models) =>
        models.Exists(m => m.SupportsBatch) ? RequestedBatch(config, sources) : 1;

    private static void LogBatching(List<OnnxModel> models, int requested, ConsoleLog log)
    {
        if (requested < 2)
        {
            return;
        }

        List<string> batched = models.FindAll(m => m.SupportsBatch).ConvertAll(m => Path.GetFileName(m.Path));
        List<string> single = models.FindAll(m => !m.SupportsBatch).ConvertAll(m => Path.GetFileName(m.Path));
        log.Info(batched.Count == 0
            ? $"batching: off — no model here takes a batch ({string.Join(", ", single)}: fixed batch of 1 or recurrent state); frames run one by one"
            : $"batching: up to {requested} frames per inference run for {string.Join(", ", batched)}"
              + (single.Count > 0 ? $"; frame by frame for {string.Join(", ", single)} (fixed batch of 1 or recurrent state)" : string.Empty));
    }

    internal static string Describe(InputSpec spec) =>
        spec.Upload == PixelUpload.Bgr8 ? DescribeSize(spec) + ", fed as uint8 BGR" : DescribeSize(spec);

    private static string DescribeSize(InputSpec spec) =>
        spec.LongSide > 0 ? $"{spec.Name} long side {spec.LongSide} ({spec.Layout}, follows the frame's aspect)"
        : spec.NativeSize ? $"{spec.Name} (frame size, {spec.Layout})"
        : $"{spec.Name} {spec.Width}×{spec.Height} ({spec.Layout}{(spec.Letterbox ? ", letterbox" : string.Empty)})";

    internal static ExecutionDevice ParseDevice(string device) => device.ToLowerInvariant() switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "cuda" => ExecutionDevice.Cuda,
        "tensorrt" => ExecutionDevice.TensorRt,
        _ => ExecutionDevice.Auto,
    };

    private static void CheckWritable(string? path, string option)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            string full = Path.GetFullPath(path);
            string? dir = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            // Opening for append neither truncates an existing file nor leaves a new one behind.
            bool existed = File.Exists(full);
            using (new FileStream(full, FileMode.Append, FileAccess.Write))
            {
            }

            if (!existed)
            {
                File.Delete(full);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OutputException($"Output '{path}' ({option}) is not writable: {ex.Message} (expected a path in a writable folder).", ex);
        }
    }

    private static void PrintSummary(PipelineResult result, PipelineStats stats, RunConfig config)
    {
        var o = Console.Out;
        double seconds = result.Elapsed.TotalSeconds;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"summary: {(result.Cancelled ? "interrupted" : "done")} in {seconds:0.0} s — frames in {result.FramesIn}, out {result.FramesOut}, dropped {result.Dropped}{(result.SinkDropped > 0 ? $" (+{result.SinkDropped} at slow sinks)" : string.Empty)}, {(seconds > 0 ? result.FramesOut / seconds : 0):0.0} fps, provider {stats.Provider}"));
        o.WriteLine("  stage        p50 ms   p95 ms   mean ms");
        for (int i = 0; i < PipelineStageInfo.Count; i++)
        {
            var stage = (PipelineStage)i;
            LatencyHistogram h = stats.Stage(stage);
            if (h.Count == 0)
            {
                continue;
            }

            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {PipelineStageInfo.Name(stage),-11} {h.Percentile(50),7:0.0}  {h.Percentile(95),7:0.0}  {h.MeanMs,8:0.0}"));
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"end-to-end",-11} {stats.EndToEnd.Percentile(50),7:0.0}  {stats.EndToEnd.Percentile(95),7:0.0}  {stats.EndToEnd.MeanMs,8:0.0}"));
        if (stats.Batches > 0)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  inference calls {stats.Batches}, {stats.MeanBatch:0.00} frames per call on average, largest batch {stats.LargestBatch}"));
        }
        foreach (Edge edge in stats.Edges)
        {
            if (edge.Dropped > 0)
            {
                o.WriteLine($"  dropped on {edge.Name} ({edge.Options.Policy}): {edge.Dropped}");
            }
        }

        if (config.Out is not null)
        {
            o.WriteLine($"  video: {config.Out}");
        }

        if (config.Meta is not null)
        {
            o.WriteLine($"  metadata: {config.Meta}");
        }
    }
}
