using System.CommandLine;
using StreamSeg.Configuration;
using StreamSeg.Models;

namespace StreamSeg.Cli.CommandLine;

/// <summary>
/// The options of <c>streamseg run</c>, each defined once (name, help, and the <see cref="RunConfig"/> key it sets),
/// and the one binder that merges them with the YAML config file: the file first (<c>--config</c>), then every flag
/// given on the command line over it, then validation. <c>bench</c> and <c>models build-engine</c> take a subset.
/// </summary>
/// <remarks>
/// The help text is generated from these definitions; the config key each flag sets is named in its help as
/// <c>[config: key]</c> (README.md lists the keys). A flag that is not given leaves the file's value alone.
/// </remarks>
internal sealed class RunOptionBinder
{
    private readonly List<OptionBinding> _bindings = [];

    /// <summary>Creates the options; <paramref name="global"/>'s <c>--log-format</c> is bound to <c>log_format</c>.</summary>
    public RunOptionBinder(GlobalOptions global)
    {
        ArgumentNullException.ThrowIfNull(global);
        Config = OptionParsers.Text("--config", "file.yaml", "settings from a YAML file (see configs/); flags override it");

        // Sources first: --loop and --rtsp-transport then apply to every source, from the file or the flags.
        Bind(
            new Option<string[]>("--source") { HelpName = "src", Description = "a video file (FFmpeg reads it; never drops a frame), camera:N or /dev/videoN (V4L2, live), rtsp://user:pw@host/path or http(s):// (live; credentials are never printed), or a folder of images in name order; repeatable: several sources share one model session [config: sources[].uri]", Arity = ArgumentArity.OneOrMore },
            (c, v) => c.Sources = [.. v.Select(uri => new SourceConfig { Uri = uri })]);
        Bind(new Option<bool>("--loop") { Description = "loop file sources forever (a simulated live source) [config: sources[].loop]" }, (c, v) => c.Sources.ForEach(s => s.Loop |= v));
        Bind(OptionParsers.Text("--rtsp-transport", "auto|tcp|udp", "RTSP transport of the sources: auto (the default) tries TCP, then UDP if the server refuses TCP or sends nothing over it, and logs which is used; tcp or udp forces one [config: sources[].rtsp_transport]"), (c, v) => c.Sources.ForEach(s => s.RtspTransport = v));

        // Models.
        Bind(OptionParsers.Text("--model", "file.onnx|name", "segmentation/detection/pose model (YOLOv8/YOLO11 -seg/-pose, Mask R-CNN, Keypoint R-CNN); a bare name is <models-dir>/<name>.onnx; none named: the 'people' preset — MoveNet MultiPose keypoints + Robust Video Matting masks, from the models folder ('streamseg models fetch' or ./run.sh puts them there) [config: model]"), (c, v) => c.Model = v);
        Bind(OptionParsers.Text("--pose-model", "file.onnx|name", "a pose model run on the same frames; poses attach to the person they overlap [config: pose_model]"), (c, v) => c.PoseModel = v);
        Bind(OptionParsers.Text("--adapter", "name", $"force the adapter of --model: auto (default), {string.Join(", ", ModelAdapterFactory.Names)} [config: adapter]"), (c, v) => c.Adapter = v);
        Bind(OptionParsers.Text("--detector", "none|centernet", "people preset: centernet also detects the other COCO classes (boxes) [config: detector]"), (c, v) => c.Detector = v);
        Bind(OptionParsers.Text("--pose-size", "N[,N…]", "people preset: MoveNet input long side, a multiple of 32, or several separated by commas, each run and their people merged (default 512,256: 512 finds small far people, 256 people who fill the frame; one size is faster) [config: pose_size]"), (c, v) => c.PoseSize = v);
        Bind(OptionParsers.Text("--models-dir", "DIR", "where the preset's models and bare --model names are (default: $STREAMSEG_MODELS or ./models) [config: models_dir]"), (c, v) => c.ModelsDir = v);
        Bind(OptionParsers.Text("--device", "auto|cpu|cuda|tensorrt", "auto (TensorRT → CUDA → CPU, default), cpu, cuda, tensorrt [config: device]"), (c, v) => c.Device = v);
        Bind(OptionParsers.Int("--threads", "n", "ONNX Runtime intra-op threads (default: one per core); shared out among models that run side by side [config: threads]"), (c, v) => c.Threads = v);
        Bind(OptionParsers.Int("--model-concurrency", "n", "how many of a frame's models run at once: 0 (default) = side by side, one lane per model up to one per core (or --threads), each with its share of the threads, models dealt to lanes by their measured times; 1 = one after another, each with all of them [config: model_concurrency]"), (c, v) => c.ModelConcurrency = v);
        Bind(OptionParsers.Int("--preprocess-workers", "n", "how many workers preprocess frames, each source's frames in order: 0 (default) = one per source, at most half the cores and 8 [config: preprocess_workers]"), (c, v) => c.PreprocessWorkers = v);
        Bind(OptionParsers.Int("--batch", "n", "most frames per inference run, across sources (default: one per source, at most 8; only models with a free batch dimension batch, the others run frame by frame) [config: batch]"), (c, v) => c.Batch = v);
        Bind(OptionParsers.Text("--upload", "auto|uint8|float", "how frames reach the models: uint8 BGR with the cast/scale/layout prepended to each model as a graph (runs on the GPU; a quarter of the bytes to copy), or float tensors made on the CPU; auto (default) = uint8 when a GPU provider loads [config: upload]"), (c, v) => c.Upload = v);
        Bind(OptionParsers.Text("--engine-cache", "DIR", "where TensorRT engines are cached (default models/cache/tensorrt; 'streamseg models build-engine --cache-dir' prebuilds them there) [config: engine_cache]"), (c, v) => c.EngineCache = v);
        Bind(OptionParsers.Float("--conf", "0..1", "confidence threshold (default: 0.25 for YOLO, 0.5 for R-CNN) [config: confidence]"), (c, v) => c.Confidence = v);
        Bind(OptionParsers.Float("--iou", "0..1", "NMS IoU threshold (default 0.7) [config: iou]"), (c, v) => c.Iou = v);

        // Outputs.
        Bind(OptionParsers.Text("--out", "file.mp4", "annotated H.264 MP4 (one per source: name.<index>-<source>.mp4 with several sources) [config: out]"), (c, v) => c.Out = v);
        Bind(OptionParsers.Text("--meta", "file.ndjson", "per-frame metadata, one JSON line per frame (schema in README.md) [config: meta]"), (c, v) => c.Meta = v);
        Bind(new Option<bool>("--show") { Description = "a live window when a display exists (ignored, with a note, when headless) [config: show]" }, (c, v) => c.Show |= v);
        Bind(OptionParsers.Text("--publish", "rtsp://…", "push the annotated video as H.264 to an RTSP server (MediaMTX, a relay…); if the server goes away, frames are dropped and counted and the push reconnects [config: publish]"), (c, v) => c.Publish = v);
        Bind(OptionParsers.Text("--publish-transport", "udp|tcp", "RTSP transport of --publish (default udp) [config: publish_transport]"), (c, v) => c.PublishTransport = v);
        Bind(OptionParsers.Text("--http", "addr:port", "live web view: every stream's annotated video (MJPEG) and live figures, plus /api/streams, /health and Prometheus /metrics (e.g. 127.0.0.1:8080; set STREAMSEG_HTTP_TOKEN to require a bearer token for all but /health) [config: http]"), (c, v) => c.Http = v);
        Bind(OptionParsers.Text("--mqtt", "url", "per-frame metadata (same schema as --meta) to an MQTT broker: mqtt://[user:pass@]host[:port]/topic-prefix[?qos=0|1] → <prefix>/<source> [config: mqtt]"), (c, v) => c.Mqtt = v);

        // Behaviour.
        Bind(OptionParsers.Long("--max-frames", "n", "stop each source after n frames [config: max_frames]"), (c, v) => c.MaxFrames = v);
        Bind(new Option<bool>("--pace") { Description = "read files at their own frame rate (a live-like run) [config: pace]" }, (c, v) => c.Pace |= v);
        Bind(OptionParsers.Float("--stall-timeout", "s", "a live source with no frame for this long is stalled and reopened (default 5) [config: stall_timeout]"), (c, v) => c.StallTimeout = v);
        Bind(new Option<bool>("--no-reconnect") { Description = "end a live source when it stalls or fails instead of reopening it [config: reconnect: false]" }, (c, v) => c.Reconnect &= !v);
        Bind(OptionParsers.Int("--reconnect-attempts", "n", "give up after n failed reopen attempts in a row (default 0: never); attempts come every 0.5 s for the first minute, then back off to 10 s, so n = 120 is about a minute [config: reconnect_attempts]"), (c, v) => c.ReconnectAttempts = v);
        Bind(new Option<bool>("--no-track") { Description = "no tracking (no track ids) [config: track: false]" }, (c, v) => c.Track = v ? false : c.Track);
        Bind(new Option<bool>("--track") { Description = "track every source, image folders too (default: videos, cameras and streams; an image folder's pictures are taken as stills) [config: track: true]" }, (c, v) => c.Track = v ? true : c.Track);
        Bind(OptionParsers.Float("--track-thresh", "0..1", "ByteTrack's track_thresh: scores above it are matched first, and new tracks need track_thresh + 0.1 (default 0.5; people preset 0.25) [config: track_threshold]"), (c, v) => c.TrackThreshold = v);
        Bind(new Option<bool>("--smooth") { Description = "smooth each track's keypoints over time (One Euro filter, MediaPipe's settings; default: on for videos, cameras and streams, off for image folders) [config: smooth: true]" }, (c, v) => c.Smooth = v ? true : c.Smooth);
        Bind(new Option<bool>("--no-smooth") { Description = "no keypoint smoothing [config: smooth: false]" }, (c, v) => c.Smooth = v ? false : c.Smooth);
        Bind(new Option<bool>("--no-masks") { Description = "do not draw masks [config: overlay.masks: false]" }, (c, v) => c.Overlay.Masks &= !v);
        Bind(new Option<bool>("--no-boxes") { Description = "do not draw boxes [config: overlay.boxes: false]" }, (c, v) => c.Overlay.Boxes &= !v);
        Bind(new Option<bool>("--no-labels") { Description = "do not draw labels, scores and track ids [config: overlay.labels: false]" }, (c, v) => c.Overlay.Labels &= !v);
        Bind(new Option<bool>("--no-keypoints") { Description = "do not draw skeletons and keypoints [config: overlay.keypoints: false]" }, (c, v) => c.Overlay.Keypoints &= !v);
        Bind(new Option<bool>("--no-hud") { Description = "do not draw the HUD (fps, latency, drops) [config: overlay.hud: false]" }, (c, v) => c.Overlay.Hud &= !v);
        Bind(OptionParsers.Float("--report-every", "s", "log a stats line (frames, fps, drops, reconnects, managed heap, RSS) every s seconds [config: report_every]"), (c, v) => c.ReportEvery = v);

        // Defined on the root (every command logs), bound here to the config key.
        _bindings.Add(new OptionBinding(global.LogFormat, (c, r) => c.LogFormat = r.GetValue(global.LogFormat)!));
    }

    /// <summary>Gets <c>--config</c>.</summary>
    public Option<string> Config { get; }

    /// <summary>Gets every option a run binds, in help order (<c>--config</c> first; the root's <c>--log-format</c> is not among them).</summary>
    public IEnumerable<Option> Options
    {
        get
        {
            yield return Config;
            foreach (OptionBinding b in _bindings)
            {
                if (!b.Option.Recursive)
                {
                    yield return b.Option;
                }
            }
        }
    }

    /// <summary>Adds the options to <paramref name="command"/>: all of them, or those named in <paramref name="names"/>.</summary>
    public void AddTo(Command command, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in Options)
        {
            if (names.Length == 0 || Array.IndexOf(names, option.Name) >= 0)
            {
                command.Options.Add(option);
            }
        }
    }

    /// <summary>
    /// Binds a parse: the config file named by <c>--config</c> (if any), then each option given on the command line
    /// over it, in definition order; then checks ranges and names (a <see cref="ConfigException"/> names the flag or key).
    /// </summary>
    public RunConfig Bind(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        RunConfig config = result.GetResult(Config) is { Implicit: false } ? RunConfigLoader.Load(result.GetValue(Config)!) : new RunConfig();
        foreach (OptionBinding binding in _bindings)
        {
            if (result.GetResult(binding.Option) is { Implicit: false })
            {
                binding.Apply(config, result);
            }
        }

        RunConfigLoader.Validate(config, "command line");
        return config;
    }

    /// <summary>Checks what a run needs beyond valid values: a source, no preset detector with named models, a known adapter.</summary>
    public static void CheckRunnable(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
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
    }

    private void Bind<T>(Option<T> option, Action<RunConfig, T> apply) =>
        _bindings.Add(new OptionBinding(option, (c, r) => apply(c, r.GetValue(option)!)));
}
