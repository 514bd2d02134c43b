using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Run;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Cli;

/// <summary>
/// <c>streamseg models build-engine &lt;model.onnx|name&gt;</c>: builds a model's TensorRT engine into the engine cache
/// ahead of time, so that the first <c>streamseg run</c> on this GPU does not spend its start-up building it.
/// </summary>
/// <remarks>
/// The session is created on TensorRT alone (no fallback to CUDA or CPU: an engine is the point) and run once on a zero
/// input, which makes ONNX Runtime build the engine and write it, with the timing cache, to the folder
/// <see cref="TensorRtEngineCache"/> names. The files in that folder are compared before and after: changed or new
/// <c>.engine</c> files mean the engine was built, none mean the engine already there was reused.
/// The engine is built for the TensorRT shape profile of the given frame sizes (<c>--frame-size</c>, repeatable) and
/// batch sizes up to <c>--batch</c>, as <c>streamseg run</c> makes it from its sources (<see cref="TensorRtProfile"/>),
/// so a run over sources of those sizes finds it in the cache. MoveNet gets one engine per <c>--pose-size</c> (default
/// 512,256, as the people preset runs it; <see cref="BuildEnginePlan"/>).
/// </remarks>
internal static class BuildEngineCommand
{
    /// <summary>The frame size used for models whose input size follows the frame (dynamic input dimensions).</summary>
    public const string DefaultFrameSize = "1280x720";

    /// <summary>Creates the command: the model argument, its own options, and run's <c>--pose-size</c>, <c>--adapter</c> and <c>--models-dir</c>.</summary>
    public static Command Create(GlobalOptions global)
    {
        var model = new Argument<string>("model") { HelpName = "model.onnx|name", Description = "the model, or a bare name for <models-dir>/<name>.onnx" };
        Option<long> deviceId = OptionParsers.Long("--device-id", "N", "the GPU (default 0)");
        var fp32 = new Option<bool>("--fp32") { Description = "build an FP32 engine (default FP16)" };
        Option<string> cacheDir = OptionParsers.Text("--cache-dir", "DIR", "the engine cache (default models/cache/tensorrt, where 'streamseg run' looks)");
        var frameSize = new Option<string[]>("--frame-size")
        {
            HelpName = "WxH",
            Description = $"a source frame size the engine takes, for models whose input follows the frame, such as RVM and MoveNet; repeat it for sources of several sizes, as the run will have (default {DefaultFrameSize}); the first is the size the engine is tuned for",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        Option<string> upload = OptionParsers.Text("--upload", "uint8|float", "the input form the engine is built for: uint8 (default; the model with its pixel preprocessing prepended, as 'streamseg run' feeds a GPU) or float (the model as published, for runs with --upload float)");
        var command = new Command("build-engine", "build the model's TensorRT engine now (TensorRT only, no fallback) so that 'streamseg run' starts without building it; engines go to a folder keyed by the model's hash, GPU, driver, ONNX Runtime and TensorRT versions and precision under --cache-dir, and one already there is reused; --pose-size lists MoveNet's input long sides as in 'streamseg run' (default 512,256) and one engine is built for each; exit 4 when TensorRT cannot load, with the reason")
        {
            model,
            deviceId,
            fp32,
            cacheDir,
            frameSize,
        };

        // The adapter settings of 'streamseg run' (MoveNet's input long side is --pose-size there too), bound the same
        // way, so that the engine is built for the input shape a run feeds.
        var runOptions = new RunOptionBinder(global);
        runOptions.AddTo(command, "--pose-size", "--adapter", "--models-dir", "--batch");
        command.Options.Add(upload);
        command.SetAction(result => Execute(
            result.GetValue(model)!,
            runOptions.Bind(result),
            new BuildEngineSettings(result.GetResult(deviceId) is { Implicit: false } ? result.GetValue(deviceId) : 0, result.GetValue(fp32), result.GetValue(cacheDir), result.GetValue(frameSize) is { Length: > 0 } sizes ? sizes : [DefaultFrameSize], result.GetValue(upload) ?? "uint8")));
        return command;
    }

    /// <summary>
    /// Builds (or reuses) the model's engines, one per input the run feeds it (<see cref="BuildEnginePlan"/>: MoveNet
    /// once per <c>--pose-size</c>), and prints for each the cache folder, the files written and the time taken.
    /// </summary>
    private static int Execute(string model, RunConfig runConfig, BuildEngineSettings settings)
    {
        long deviceId = settings.DeviceId;
        if (deviceId is < 0 or > int.MaxValue)
        {
            throw new ConfigException($"Option '--device-id': '{deviceId}' is not a GPU ordinal (0, 1, …).");
        }

        List<FrameSize> frameSizes = [.. settings.FrameSizes.Select(ParseFrameSize).Distinct()];

        // As 'streamseg run' asks for: --batch, or one per source (one per frame size here), at most 8.
        var plan = new TensorRtShapePlan(frameSizes, ModelLoader.RequestedBatch(runConfig, frameSizes.Count));
        string? adapter = runConfig.Adapter == "auto" ? null : runConfig.Adapter;
        string path = ModelPaths.Resolve(model, runConfig.ModelsDir ?? ModelPaths.DefaultModelsDirectory);
        var options = new SessionFactoryOptions(ExecutionDevice.TensorRt, (int)deviceId, Fp16: !settings.Fp32);
        if (settings.CacheDir is string cacheDir)
        {
            options = options with { EngineCacheRoot = cacheDir };
        }

        var factory = new OnnxSessionFactory(options);
        string upload = settings.Upload;
        if (upload is not ("uint8" or "float"))
        {
            throw new ConfigException($"Option '--upload': '{upload}' is not uint8 or float.");
        }

        // 'streamseg run' on a GPU feeds uint8 pixels to models with their preprocessing prepended (--upload auto):
        // that composed model is what its engine is built from and keyed by, so build the same one here.
        IPixelInputComposer? composer = upload == "uint8" ? new GraphPixelInputComposer() : null;
        IReadOnlyList<AdapterOptions> targets = BuildEnginePlan.Targets(runConfig, o => ChooseAdapter(path, adapter, o).Input);
        for (int i = 0; i < targets.Count; i++)
        {
            if (i > 0)
            {
                Console.WriteLine();
            }

            BuildOne(path, factory, plan, adapter, targets[i], composer, deviceId);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Builds (or reuses) the engine of <paramref name="path"/> under <paramref name="adapterOptions"/> and prints what it did.</summary>
    private static void BuildOne(string path, OnnxSessionFactory factory, TensorRtShapePlan plan, string? adapter, AdapterOptions adapterOptions, IPixelInputComposer? composer, long deviceId)
    {
        (int frameWidth, int frameHeight) = (plan.FrameSizes[0].Width, plan.FrameSizes[0].Height);
        byte[]? composed = composer is null ? null : ComposedBytes(path, composer, adapter, adapterOptions);
        TensorRtEngineIdentity identity;
        try
        {
            identity = factory.DescribeTensorRtEngine(composed, path);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelLoadException($"Model '{path}': no engine built: {ex.Message}. Building an engine needs an NVIDIA GPU and the TensorRT and CUDA libraries where the loader finds them (LD_LIBRARY_PATH).", ex);
        }

        // The profile (and so the cache folder) follows from the model's inputs, read here on the CPU before anything
        // is built on the GPU.
        TensorRtProfile? profile;
        using (OnnxModel probe = Load(path, new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)), adapter, adapterOptions, composed is null ? null : composer))
        {
            profile = TensorRtProfile.Build(probe.SupportsBatch ? plan : plan with { MaxBatch = 1 }, probe.ShapesAt);
        }

        identity = identity with { Profile = profile?.Text ?? string.Empty };

        string folder = factory.EngineCacheFolder(identity);
        Dictionary<string, FileStamp> before = Snapshot(folder);
        Stopwatch clock = Stopwatch.StartNew();
        string input;
        using (OnnxModel onnx = Load(path, factory, adapter, adapterOptions, composed is null ? null : composer))
        {
            input = $"{onnx.Input.Name} [{string.Join(',', TensorWriter.ShapeFor(onnx.Input, frameWidth, frameHeight))}] {TensorWriter.ElementFor(onnx.Input).ToString().ToLowerInvariant()}";
            try
            {
                _ = onnx.UseShapes(plan);
                onnx.WarmUp(frameWidth, frameHeight);
                _ = onnx.WarmUpBatch(frameWidth, frameHeight, plan.MaxBatch);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ModelLoadException($"Model '{path}': the TensorRT run that builds the engine failed ({OnnxSessionFactory.Reason(ex.Message)}).", ex);
            }
        }

        clock.Stop();
        Dictionary<string, FileStamp> after = Snapshot(folder);
        List<string> written = [.. after.Where(f => !before.TryGetValue(f.Key, out FileStamp old) || old != f.Value).Select(f => f.Key).Order(StringComparer.Ordinal)];
        if (!after.Keys.Any(IsEngine))
        {
            throw new ModelLoadException($"Model '{path}': TensorRT wrote no engine to '{folder}' (it took none of the model's nodes, or the folder is not writable).");
        }

        Console.WriteLine($"model:   {path}");
        Console.WriteLine($"sha256:  {identity.ModelSha256}");
        Console.WriteLine($"engine:  TensorRT {identity.TensorRtVersion}, {identity.Precision}, GPU {deviceId} {identity.GpuName} (driver {identity.DriverVersion}), ONNX Runtime {identity.OrtVersion}");
        Console.WriteLine($"input:   {input}");
        if (profile is not null)
        {
            Console.WriteLine($"profile: min {profile.MinShapes}; opt {profile.OptShapes}; max {profile.MaxShapes}");
        }

        Console.WriteLine($"cache:   {folder}");
        foreach (string name in written)
        {
            Console.WriteLine($"wrote:   {name} ({Size(after[name].Length)})");
        }

        string seconds = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine(written.Any(IsEngine)
            ? $"built:   {written.Count(IsEngine)} engine file(s) in {seconds} s"
            : $"reused:  {before.Keys.Count(IsEngine)} engine file(s) already in the cache, nothing rebuilt ({seconds} s)");
    }

    /// <summary>The adapter <see cref="OnnxModel"/> would choose for the model as published (read on the CPU).</summary>
    private static IModelAdapter ChooseAdapter(string path, string? adapter, AdapterOptions adapterOptions)
    {
        try
        {
            using InferenceSession plain = OnnxSessionFactory.CreateForInspection(path);
            return ModelAdapterFactory.Create(ModelSignatureReader.Read(plain, path), adapter, adapterOptions);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FileNotFoundException or NotSupportedException)
        {
            throw new ModelLoadException(ex.Message.Contains($"'{path}'", StringComparison.Ordinal) ? ex.Message : $"Model '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>The model with its pixel preprocessing prepended, as <see cref="OnnxModel"/> composes it; null for inputs that keep the CPU conversion.</summary>
    private static byte[]? ComposedBytes(string path, IPixelInputComposer composer, string? adapter, AdapterOptions adapterOptions)
    {
        IModelAdapter chosen = ChooseAdapter(path, adapter, adapterOptions);
        try
        {
            return chosen.Input.Layout == TensorLayout.Chw ? null : composer.Compose(File.ReadAllBytes(path), chosen.Input);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or NotSupportedException)
        {
            throw new ModelLoadException(ex.Message.Contains($"'{path}'", StringComparison.Ordinal) ? ex.Message : $"Model '{path}': {ex.Message}", ex);
        }
    }

    private static OnnxModel Load(string path, OnnxSessionFactory factory, string? adapter, AdapterOptions adapterOptions, IPixelInputComposer? composer)
    {
        try
        {
            return new OnnxModel(path, factory, adapter, adapterOptions, composer);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FileNotFoundException)
        {
            // The factory's messages name the model already; the adapter's may not.
            throw new ModelLoadException(ex.Message.Contains($"'{path}'", StringComparison.Ordinal) ? ex.Message : $"Model '{path}': {ex.Message}", ex);
        }
    }

    private static FrameSize ParseFrameSize(string text) =>
        FrameSize.TryParse(text) ?? throw new ConfigException($"Option '--frame-size': '{text}' is not WIDTHxHEIGHT (for example {DefaultFrameSize}).");

    private static bool IsEngine(string name) => name.EndsWith(".engine", StringComparison.Ordinal);

    private static Dictionary<string, FileStamp> Snapshot(string folder)
    {
        var files = new Dictionary<string, FileStamp>(StringComparer.Ordinal);
        if (Directory.Exists(folder))
        {
            foreach (FileInfo f in new DirectoryInfo(folder).EnumerateFiles())
            {
                files[f.Name] = new FileStamp(f.Length, f.LastWriteTimeUtc);
            }
        }

        return files;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc);

    private sealed record BuildEngineSettings(long DeviceId, bool Fp32, string? CacheDir, string[] FrameSizes, string Upload);
}
