using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary><c>streamseg models info &lt;model.onnx&gt;</c>: what adapter a model gets, its inputs, outputs and classes.</summary>
internal static class ModelsCommand
{
    public const string Help = """
        streamseg models — inspect models

        Usage:
          streamseg models info <model.onnx> [--adapter <name>]   adapter, inputs, outputs, classes and metadata
        """;

    public static int Execute(string[] args)
    {
        CliArguments a = CliArguments.Parse(args, ["--adapter"], ["--help", "--verbose"]);
        if (a.Has("--help") || a.Positional.Count == 0)
        {
            Console.WriteLine(Help);
            return a.Has("--help") ? ExitCodes.Ok : ExitCodes.Usage;
        }

        if (a.Positional[0] != "info" || a.Positional.Count != 2)
        {
            throw new ConfigException($"Unknown models command '{string.Join(' ', a.Positional)}' (expected: models info <model.onnx>).");
        }

        string path = a.Positional[1];
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

            IModelAdapter adapter = ModelAdapterFactory.Create(signature, a.Value("--adapter"));
            Console.WriteLine($"adapter: {adapter.Name} ({adapter.Task.ToString().ToLowerInvariant()})");
            Console.WriteLine($"feeds:   {RunCommand.Describe(adapter.Input)}");
            Console.WriteLine($"classes: {adapter.ClassNames.Count}" + (adapter.ClassNames.Count > 0 ? " — " + string.Join(", ", adapter.ClassNames.Take(12)) + (adapter.ClassNames.Count > 12 ? ", …" : string.Empty) : string.Empty));
        }

        return ExitCodes.Ok;
    }
}
