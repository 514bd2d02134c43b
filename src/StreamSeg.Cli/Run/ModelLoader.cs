using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Models;

namespace StreamSeg.Cli.Run;

/// <summary>
/// Loads the models a run uses, in run order: the people preset when none is named, else <c>--model</c> then
/// <c>--pose-model</c>; chooses how frames reach them (<c>--upload</c>), warms them up and says how they batch.
/// </summary>
internal sealed partial class ModelLoader
{
    private readonly ILogger<ModelLoader> _logger;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the loader.</summary>
    public ModelLoader(ILogger<ModelLoader> logger, ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        _logger = logger;
    }

    /// <summary>
    /// Gets the adapter settings of <paramref name="config"/> (thresholds and MoveNet's input long side: the first of
    /// <see cref="RunConfig.PoseSizes"/>; the people preset loads MoveNet once more for each further size).
    /// </summary>
    public static AdapterOptions AdapterOptionsFor(RunConfig config) => new() { ConfidenceThreshold = config.Confidence, IouThreshold = config.Iou, LongSide = config.PoseSizes.Count > 0 ? config.PoseSizes[0] : null };

    /// <summary>Gets the number of pose models the people preset of <paramref name="config"/> loads (one per pose size), or 0 when a model is named.</summary>
    public static int PresetPoseScales(RunConfig config) =>
        config.Model is null && config.PoseModel is null ? config.PoseSizes.Count : 0;

    /// <summary>Gets the batch asked for: <see cref="RunConfig.Batch"/>, or one per source (at most 8).</summary>
    public static int RequestedBatch(RunConfig config, int sources) => config.Batch > 0 ? config.Batch : Math.Clamp(sources, 1, 8);

    /// <summary>
    /// Gets the most frames per inference call: the batch asked for when a model can batch, else 1 (gathering frames
    /// for models that run them one by one anyway would only make the first of them wait for the others).
    /// </summary>
    public static int BatchSize(RunConfig config, int sources, List<OnnxModel> models) =>
        models.Exists(m => m.SupportsBatch) ? RequestedBatch(config, sources) : 1;

    /// <summary>Describes a model input as the log lines and <c>models info</c> show it.</summary>
    public static string Describe(InputSpec spec) =>
        spec.Upload == PixelUpload.Bgr8 ? DescribeSize(spec) + ", fed as uint8 BGR" : DescribeSize(spec);

    /// <summary>Parses a device name (validated by <see cref="RunConfigLoader.Validate"/>).</summary>
    public static ExecutionDevice ParseDevice(string device) => device.ToLowerInvariant() switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "cuda" => ExecutionDevice.Cuda,
        "tensorrt" => ExecutionDevice.TensorRt,
        _ => ExecutionDevice.Auto,
    };

    /// <summary>
    /// Creates the session factory of <paramref name="config"/> (device, threads, engine cache); its provider fallbacks
    /// are logged as warnings. Each session gets <see cref="IntraOpThreadsPerModel"/> intra-op threads.
    /// </summary>
    public OnnxSessionFactory CreateSessionFactory(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int lanes = ModelLanesFor(config);
        int threads = IntraOpThreadsPerModel(config);
        if (lanes > 1)
        {
            int distinct = DistinctModels(config);
            if (lanes < distinct)
            {
                LogSideBySideOnLanes(_logger, distinct, lanes, threads);
            }
            else
            {
                LogSideBySide(_logger, lanes, threads);
            }
        }

        return new(
            new SessionFactoryOptions(ParseDevice(config.Device), IntraOpThreads: threads, EngineCacheRoot: config.EngineCache),
            _loggerFactory.CreateLogger<OnnxSessionFactory>());
    }

    /// <summary>Gets how many distinct models (sessions) <paramref name="config"/> loads: the preset's two or three, else <c>--model</c> and <c>--pose-model</c>.</summary>
    public static int DistinctModels(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // The preset: one MoveNet session per pose size, RVM, and the detector when asked for.
        return config.Model is null && config.PoseModel is null
            ? Math.Max(1, PresetPoseScales(config)) + 1 + (config.Detector == "centernet" ? 1 : 0)
            : (config.Model is null ? 0 : 1) + (config.PoseModel is null ? 0 : 1);
    }

    /// <summary>
    /// Gets how many models of a frame run at once (the lanes of <see cref="ModelLanes"/>): <see
    /// cref="RunConfig.ModelConcurrency"/> when set (at most one per model); by default (0) one per model, but no more
    /// than the thread budget (<see cref="RunConfig.Threads"/>, else the cores), so that every lane has a thread of its
    /// own: on 2 cores the preset's three sessions run on two lanes, dealt by their measured times.
    /// </summary>
    public static int ModelLanesFor(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int distinct = DistinctModels(config);
        int budget = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
        return Math.Max(1, config.ModelConcurrency > 0 ? Math.Min(config.ModelConcurrency, distinct) : Math.Min(distinct, budget));
    }

    /// <summary>
    /// Gets each session's intra-op threads: <see cref="RunConfig.Threads"/> when the models run one after another
    /// (0: ONNX Runtime's default, one per core); when they run side by side, the budget (the threads asked for, else
    /// the cores) shared out among them, at least one each, so that together they fill the cores without
    /// oversubscribing them.
    /// </summary>
    public static int IntraOpThreadsPerModel(RunConfig config)
    {
        int lanes = ModelLanesFor(config);
        if (lanes <= 1)
        {
            return config.Threads;
        }

        int total = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
        return Math.Max(1, total / lanes);
    }

    /// <summary>Loads the models of <paramref name="config"/> into <paramref name="models"/> (the caller disposes them, also on failure).</summary>
    public void Load(RunConfig config, OnnxSessionFactory factory, List<OnnxModel> models)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(models);
        AdapterOptions adapterOptions = AdapterOptionsFor(config);
        IPixelInputComposer? composer = PixelComposerFor(config, factory);
        IBatchGraphSplitter? splitter = SplitterFor(config, factory);
        if (config.Model is null && config.PoseModel is null)
        {
            LoadPeoplePreset(config, factory, adapterOptions, composer, splitter, models);
        }

        // A bare name (no folder, no extension) is a model in the models folder, as for 'models build-engine'.
        string modelsDir = config.ModelsDir ?? ModelPaths.DefaultModelsDirectory;
        if (config.Model is not null)
        {
            models.Add(LoadModel(ModelPaths.Resolve(config.Model, modelsDir), config.Adapter == "auto" ? null : config.Adapter, factory, adapterOptions, composer, splitter));
        }

        if (config.PoseModel is not null)
        {
            OnnxModel pose = LoadModel(ModelPaths.Resolve(config.PoseModel, modelsDir), null, factory, adapterOptions, composer, splitter);
            if (pose.Adapter.Task != ModelTask.Pose)
            {
                pose.Dispose();
                throw new ModelLoadException($"Model '{config.PoseModel}' given as --pose-model is a {pose.Adapter.Task.ToString().ToLowerInvariant()} model (adapter {pose.Adapter.Name}); expected a pose model.");
            }

            models.Add(pose);
        }
    }

    /// <summary>
    /// Runs each model once on a frame of the first source's size, then at the batch asked for (a model that declares
    /// a free batch dimension but fails at that batch runs frame by frame), and logs how the run batches.
    /// </summary>
    public void WarmUp(List<OnnxModel> models, int width, int height, int requestedBatch) =>
        WarmUp(models, [new FrameSize(width, height)], requestedBatch);

    /// <summary>
    /// As <see cref="WarmUp(List{OnnxModel}, int, int, int)"/>, knowing every source's frame size: on TensorRT each
    /// model's engine is built first for the profile of those sizes and the batch sizes up to the one asked for
    /// (<see cref="OnnxModel.UseShapes"/>), so that no engine is built mid-run.
    /// </summary>
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    public void WarmUp(List<OnnxModel> models, IReadOnlyList<FrameSize> frameSizes, int requestedBatch)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(frameSizes);
        int width = frameSizes[0].Width;
        int height = frameSizes[0].Height;
        var plan = new TensorRtShapePlan([.. frameSizes.Distinct()], Math.Max(1, requestedBatch));
        foreach (OnnxModel model in models)
        {
            _ = model.UseShapes(plan);
            model.WarmUp(width, height);
            if (model.WarmUpBatch(width, height, requestedBatch) is string why)
            {
                LogBatchFails(_logger, model.Path, requestedBatch, why);
            }
        }

        // The summary below is one information line; nothing is gathered for it when it will not be written.
        if (requestedBatch < 2 || !_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (OnnxModel model in models)
        {
            if (model.BatchSplit is string split)
            {
                if (model.SupportsBatch)
                {
                    LogSplit(_logger, model.Path, split);
                }
                else
                {
                    LogNotSplit(_logger, model.Path, split);
                }
            }
        }

        List<string> batched = models.FindAll(m => m.SupportsBatch).ConvertAll(m => Path.GetFileName(m.Path));
        List<string> single = models.FindAll(m => !m.SupportsBatch).ConvertAll(m => Path.GetFileName(m.Path));
        if (batched.Count == 0)
        {
            LogBatchingOff(_logger, string.Join(", ", single));
        }
        else
        {
            LogBatching(_logger, requestedBatch, string.Join(", ", batched), single.Count > 0 ? $"; frame by frame for {string.Join(", ", single)} (fixed batch of 1 or recurrent state)" : string.Empty);
        }
    }

    private static string DescribeSize(InputSpec spec) =>
        spec.LongSide > 0 ? $"{spec.Name} long side {spec.LongSide} ({spec.Layout}, follows the frame's aspect)"
        : spec.NativeSize ? $"{spec.Name} (frame size, {spec.Layout})"
        : $"{spec.Name} {spec.Width}×{spec.Height} ({spec.Layout}{(spec.Letterbox ? ", letterbox" : string.Empty)})";

    /// <summary>
    /// How frames reach the models (<see cref="RunConfig.Upload"/>): <c>uint8</c> prepends each model's pixel
    /// preprocessing as a graph and uploads the resized BGR bytes; <c>float</c> converts on the CPU; <c>auto</c> picks
    /// uint8 when the models will run on a GPU (TensorRT or CUDA loads) and float on the CPU, where the conversion is
    /// better left to the preprocess thread than added to inference.
    /// </summary>
    private GraphPixelInputComposer? PixelComposerFor(RunConfig config, OnnxSessionFactory factory)
    {
        bool bytes = config.Upload switch
        {
            "uint8" => true,
            "float" => false,
            _ => factory.ProbeDevice() != ExecutionDevice.Cpu,
        };
        if (bytes)
        {
            LogUint8Upload(_logger);
        }

        return bytes ? new GraphPixelInputComposer() : null;
    }

    /// <summary>
    /// Whether models whose graph fixes a batch of 1 after a batch-free part (MoveNet) are split to batch across streams:
    /// when the models run on a GPU (TensorRT or CUDA loads), where one call on several frames costs little more than
    /// on one, or when <c>--batch</c> asks for batches. Not by default on the CPU: ONNX Runtime already spreads one
    /// frame over every core, and MoveNet's batches measured slower per frame there (bench/RESULTS.md).
    /// </summary>
    private static GraphBatchSplitter? SplitterFor(RunConfig config, OnnxSessionFactory factory) =>
        config.Batch > 1 || factory.ProbeDevice() != ExecutionDevice.Cpu ? new GraphBatchSplitter() : null;

    /// <summary>
    /// The people preset: MoveNet MultiPose (person boxes and 17 keypoints) at each size of <see cref="RunConfig.PoseSizes"/>
    /// (one model entry per size, consecutive, each with its own session: the decode stage merges their people),
    /// optionally CenterNet for the other COCO classes, and the RVM matte split into one mask per person.
    /// </summary>
    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private void LoadPeoplePreset(RunConfig config, OnnxSessionFactory factory, AdapterOptions options, IPixelInputComposer? composer, IBatchGraphSplitter? splitter, List<OnnxModel> models)
    {
        string dir = config.ModelsDir ?? ModelPaths.DefaultModelsDirectory;
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

        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogPreset(_logger, string.Join(" + ", names), dir, string.Join(" and ", config.PoseSizes));
        }

        foreach (string name in names)
        {
            string path = Path.Combine(dir, name + ".onnx");
            if (name != "movenet-multipose")
            {
                models.Add(LoadModel(path, name, factory, options, composer, splitter));
                continue;
            }

            // One entry per size: the preprocess stage makes each its input, and the entries share nothing mutable,
            // so the inference stage may run them as it runs any two models.
            foreach (int size in config.PoseSizes)
            {
                models.Add(LoadModel(path, name, factory, options with { LongSide = size }, composer, splitter));
            }
        }
    }

    [SuppressMessage("Performance", "CA1873:Avoid potentially expensive logging", Justification = "Every computed argument here is behind an IsEnabled check the analyzer does not see around LoggerMessage methods (dotnet/sdk#50893).")]
    private OnnxModel LoadModel(string path, string? adapter, OnnxSessionFactory factory, AdapterOptions options, IPixelInputComposer? composer, IBatchGraphSplitter? splitter)
    {
        try
        {
            var model = new OnnxModel(path, factory, adapter, options, composer, splitter, _loggerFactory.CreateLogger<OnnxModel>());
            if (_logger.IsEnabled(LogLevel.Information))
            {
                LogModel(_logger, path, model.Adapter.Name, model.Adapter.Task.ToString().ToLowerInvariant(), Describe(model.Input), model.Adapter.ClassNames.Count, model.Provider);
            }

            return model;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or InvalidOperationException)
        {
            throw new ModelLoadException(ex.Message, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "inference: {Lanes} models of each frame run side by side, {Threads} intra-op threads each (--model-concurrency 1: one after another)")]
    private static partial void LogSideBySide(ILogger logger, int lanes, int threads);

    [LoggerMessage(Level = LogLevel.Information, Message = "inference: {Models} models of each frame run side by side on {Lanes} lanes (one per core; models dealt to lanes by their measured times), {Threads} intra-op threads each (--model-concurrency 1: one after another)")]
    private static partial void LogSideBySideOnLanes(ILogger logger, int models, int lanes, int threads);

    [LoggerMessage(Level = LogLevel.Information, Message = "input upload: uint8 BGR frames; each model's cast, channel order, scale and layout run inside the model (on the GPU when its provider is one)")]
    private static partial void LogUint8Upload(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "preset people: {Models} from {Directory} (pose input long side {PoseSize})")]
    private static partial void LogPreset(ILogger logger, string models, string directory, string poseSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "model '{Path}': adapter {Adapter}, task {Task}, input {Input}, {Classes} classes, provider {Provider}")]
    private static partial void LogModel(ILogger logger, string path, string adapter, string task, string input, int classes, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "model '{Path}': declares a free batch dimension but a batch of {Batch} fails ({Reason}); it runs frame by frame")]
    private static partial void LogBatchFails(ILogger logger, string path, int batch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "model '{Path}': its graph fixes a batch of 1 only after a batch-free part; split to batch across streams ({Split})")]
    private static partial void LogSplit(ILogger logger, string path, string split);

    [LoggerMessage(Level = LogLevel.Information, Message = "model '{Path}': fixed batch of 1 and cannot be split to batch across streams ({Reason})")]
    private static partial void LogNotSplit(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "batching: off — no model here takes a batch ({Models}: fixed batch of 1 or recurrent state); frames run one by one")]
    private static partial void LogBatchingOff(ILogger logger, string models);

    [LoggerMessage(Level = LogLevel.Information, Message = "batching: up to {Batch} frames per inference run for {Models}{SingleNote}")]
    private static partial void LogBatching(ILogger logger, int batch, string models, string singleNote);
}
