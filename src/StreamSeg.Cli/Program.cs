using StreamSeg.Capture;
using StreamSeg.Cli;
using StreamSeg.Configuration;
using StreamSeg.Models;
using StreamSeg.Pipeline;

bool verbose = Array.IndexOf(args, "--verbose") >= 0;
try
{
    return await Commands.DispatchAsync(args).ConfigureAwait(false);
}
catch (Exception ex) when (!verbose)
{
    (int code, string message) = Commands.Describe(ex);
    ProgressReporter.ClearLine();
    Console.Error.WriteLine("streamseg: error: " + UrlRedactor.Redact(message));
    return code;
}
catch (Exception ex)
{
    (int code, _) = Commands.Describe(ex);
    ProgressReporter.ClearLine();
    Console.Error.WriteLine("streamseg: error: " + UrlRedactor.Redact(ex.ToString()));
    return code;
}

namespace StreamSeg.Cli
{
    /// <summary>The top-level commands and the mapping from failures to one-line messages and exit codes.</summary>
    internal static class Commands
    {
        public const string Usage = """
            streamseg — real-time instance segmentation, pose and tracking on video files, cameras and streams

            Usage:
              streamseg run --source <file|camera:N|/dev/videoN|folder|rtsp://…> --model <model.onnx> [options]
              streamseg models info <model.onnx>
              streamseg models build-engine <model.onnx|name> [--device-id N] [--fp32] [--cache-dir DIR]
              streamseg bench --source <video> --model <model.onnx> [--frames N] [--json path]
              streamseg --help | --version

            Run 'streamseg run --help' for every run option.

            Exit codes: 0 ok, 1 failure, 2 bad arguments or config, 3 source error, 4 model error,
                        5 output error, 130 interrupted (outputs still finalised).
            """;

        public static async Task<int> DispatchAsync(string[] args)
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
            }

            if (args[0] == "--version")
            {
                Console.WriteLine($"streamseg {typeof(Commands).Assembly.GetName().Version?.ToString(3)} (ONNX Runtime {StreamSeg.Inference.OnnxSessionFactory.OrtVersion})");
                return ExitCodes.Ok;
            }

            string[] rest = args[1..];
            return args[0] switch
            {
                "run" => await RunCommand.ExecuteAsync(rest).ConfigureAwait(false),
                "models" => ModelsCommand.Execute(rest),
                "bench" => await BenchCommand.ExecuteAsync(rest).ConfigureAwait(false),
                _ => throw new ConfigException($"Unknown command '{args[0]}' (expected run, models or bench; see --help)."),
            };
        }

        public static (int Code, string Message) Describe(Exception ex) => ex switch
        {
            ConfigException => (ExitCodes.Usage, ex.Message),
            SourceException => (ExitCodes.SourceError, ex.Message),
            ModelNotSupportedException => (ExitCodes.ModelError, ex.Message),
            ModelLoadException => (ExitCodes.ModelError, ex.Message),
            OutputException => (ExitCodes.OutputError, ex.Message),
            StageException { InnerException: SourceException inner } => (ExitCodes.SourceError, inner.Message),
            StageException se when se.Stage.StartsWith("sink:", StringComparison.Ordinal) => (ExitCodes.OutputError, ex.Message),
            StageException => (ExitCodes.Failure, ex.Message),
            _ => (ExitCodes.Failure, ex.Message),
        };
    }
}
