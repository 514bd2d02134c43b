using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
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
/// </remarks>
internal static class BuildEngineCommand
{
    /// <summary>The frame size used for models whose input size follows the frame (dynamic input dimensions).</summary>
    public const string DefaultFrameSize = "1280x720";

    /// <summary>Builds (or reuses) the engine and prints the cache folder, the files written and the time taken.</summary>
    public static int Execute(CliArguments a, string model)
    {
        long deviceId = a.Long("--device-id") ?? 0;
        if (deviceId is < 0 or > int.MaxValue)
        {
            throw new ConfigException($"Option '--device-id': '{deviceId}' is not a GPU ordinal (0, 1, …).");
        }

        (int frameWidth, int frameHeight) = ParseFrameSize(a.Value("--frame-size") ?? DefaultFrameSize);

        // The adapter settings of 'streamseg run' (MoveNet's input long side is --pose-size there too), so that the
        // engine is built for the input shape a run feeds.
        var runConfig = new RunConfig();
        runConfig.PoseSize = (int)(a.Long("--pose-size") ?? runConfig.PoseSize);
        RunConfigLoader.Validate(runConfig, "command line");
        string path = ModelsCommand.ResolveModel(model, a.Value("--models-dir") ?? ModelsCommand.DefaultModelsDirectory);
        var options = new SessionFactoryOptions(ExecutionDevice.TensorRt, (int)deviceId, Fp16: !a.Has("--fp32"));
        if (a.Value("--cache-dir") is string cacheDir)
        {
            options = options with { EngineCacheRoot = cacheDir };
        }

        var factory = new OnnxSessionFactory(options);
        string upload = a.Value("--upload") ?? "uint8";
        if (upload is not ("uint8" or "float"))
        {
            throw new ConfigException($"Option '--upload': '{upload}' is not uint8 or float.");
        }

        // 'streamseg run' on a GPU feeds uint8 pixels to models with their preprocessing prepended (--upload auto):
        // that composed model is what its engine is built from and keyed by, so build the same one here.
        IPixelInputComposer? composer = upload == "uint8" ? new GraphPixelInputComposer() : null;
        byte[]? composed = composer is null ? null : ComposedBytes(path, composer, a.Value("--adapter"), RunCommand.AdapterOptionsFor(runConfig));
        TensorRtEngineIdentity identity;
        try
        {
            identity = factory.DescribeTensorRtEngine(composed, path);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelLoadException($"Model '{path}': no engine built: {ex.Message}. Building an engine needs an NVIDIA GPU and the TensorRT and CUDA libraries where the loader finds them (LD_LIBRARY_PATH).", ex);
        }

        string folder = factory.EngineCacheFolder(identity);
        Dictionary<string, FileStamp> before = Snapshot(folder);
        Stopwatch clock = Stopwatch.StartNew();
        string input;
        using (OnnxModel onnx = Load(path, factory, a.Value("--adapter"), RunCommand.AdapterOptionsFor(runConfig), composed is null ? null : composer))
        {
            input = $"{onnx.Input.Name} [{string.Join(',', TensorWriter.ShapeFor(onnx.Input, frameWidth, frameHeight))}] {TensorWriter.ElementFor(onnx.Input).ToString().ToLowerInvariant()}";
            try
            {
                onnx.WarmUp(frameWidth, frameHeight);
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
        Console.WriteLine($"cache:   {folder}");
        foreach (string name in written)
        {
            Console.WriteLine($"wrote:   {name} ({Size(after[name].Length)})");
        }

        string seconds = clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine(written.Any(IsEngine)
            ? $"built:   {written.Count(IsEngine)} engine file(s) in {seconds} s"
            : $"reused:  {before.Keys.Count(IsEngine)} engine file(s) already in the cache, nothing rebuilt ({seconds} s)");
        return ExitCodes.Ok;
    }

    /// <summary>The model with its pixel preprocessing prepended, as <see cref="OnnxModel"/> composes it; null for inputs that keep the CPU conversion.</summary>
    private static byte[]? ComposedBytes(string path, IPixelInputComposer composer, string? adapter, AdapterOptions adapterOptions)
    {
        try
        {
            using InferenceSession plain = OnnxSessionFactory.CreateForInspection(path);
            IModelAdapter chosen = ModelAdapterFactory.Create(ModelSignatureReader.Read(plain, path), adapter is null or "auto" ? null : adapter, adapterOptions);
            return chosen.Input.Layout == TensorLayout.Chw ? null : composer.Compose(File.ReadAllBytes(path), chosen.Input);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FileNotFoundException or NotSupportedException)
        {
            throw new ModelLoadException(ex.Message.Contains($"'{path}'", StringComparison.Ordinal) ? ex.Message : $"Model '{path}': {ex.Message}", ex);
        }
    }

    private static OnnxModel Load(string path, OnnxSessionFactory factory, string? adapter, AdapterOptions adapterOptions, IPixelInputComposer? composer)
    {
        try
        {
            return new OnnxModel(path, factory, adapter == "auto" ? null : adapter, adapterOptions, composer);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FileNotFoundException)
        {
            // The factory's messages name the model already; the adapter's may not.
            throw new ModelLoadException(ex.Message.Contains($"'{path}'", StringComparison.Ordinal) ? ex.Message : $"Model '{path}': {ex.Message}", ex);
        }
    }

    private static (int Width, int Height) ParseFrameSize(string text)
    {
        string[] parts = text.Split('x', '×');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w > 0 && h > 0)
        {
            return (w, h);
        }

        throw new ConfigException($"Option '--frame-size': '{text}' is not WIDTHxHEIGHT (for example {DefaultFrameSize}).");
    }

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
}
