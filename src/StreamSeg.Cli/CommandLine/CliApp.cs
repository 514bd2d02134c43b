using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.Logging;
using StreamSeg.Cli.Bench;
using StreamSeg.Cli.Run;

namespace StreamSeg.Cli.CommandLine;

/// <summary>
/// The <c>streamseg</c> command line: the commands (<c>run</c>, <c>models</c>, <c>bench</c>), parsing with
/// System.CommandLine, and the mapping of bad arguments and failures to one <c>streamseg: error:</c> line and an exit
/// code (2 for bad arguments or config; README.md lists the others).
/// </summary>
internal static partial class CliApp
{
    private const string Description = "streamseg — real-time instance segmentation, pose and tracking on video files, cameras and streams";

    private const string Notes = """
        Usage:
          streamseg run --source <file|camera:N|/dev/videoN|folder|rtsp://…> --model <model.onnx> [options]
          streamseg serve [--config node.yaml] [--http 127.0.0.1:8080] [--model …] [--max-streams N] [--node name]
          streamseg models info <model.onnx>
          streamseg models build-engine <model.onnx|name> [--device-id N] [--fp32] [--cache-dir DIR]
          streamseg bench --source <video> --model <model.onnx> [--frames N] [--json path]
          streamseg eval --gt instances.json (--pred results.json | --images DIR) [--iou-type bbox|segm|keypoints] [--json out.json]
          streamseg eval --iou-type panoptic --gt panoptic.json --pred pred.json | --mot-gt gt.txt --mot-pred tracks.txt
          streamseg export coco|mot --meta run.ndjson -o <file>
          streamseg track --detections <dets.json|run.ndjson> [--out tracks.json] [--track-thresh …] [--frame-rate …]
          streamseg --help | --version

        Run 'streamseg run --help' for every run option.

        Exit codes: 0 ok, 1 failure, 2 bad arguments or config, 3 source error, 4 model error,
                    5 output error, 130 interrupted (SIGINT), 143 terminated (SIGTERM) (outputs
                    still finalised on both).
        """;

    /// <summary>Creates the root command with every command under it.</summary>
    public static RootCommand CreateRoot(GlobalOptions global)
    {
        ArgumentNullException.ThrowIfNull(global);
        var root = new RootCommand(Description) { HelpName = "streamseg" };

        // The version line names ONNX Runtime too; the generated one would print only the assembly's informational version.
        foreach (Option option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new DelegateAction(result =>
                {
                    result.InvocationConfiguration.Output.WriteLine($"streamseg {typeof(CliApp).Assembly.GetName().Version?.ToString(3)} (ONNX Runtime {StreamSeg.Inference.OnnxSessionFactory.OrtVersion})");
                    return ExitCodes.Ok;
                });
            }
        }

        root.Options.Add(global.Verbose);
        root.Options.Add(global.LogFormat);
        var help = new HelpWithNotesAction(GeneratedHelp(root));
        foreach (Option option in root.Options)
        {
            if (option is HelpOption helpOption)
            {
                helpOption.Action = help;
            }
        }

        help.AddNotes(root, () => Notes);
        root.Subcommands.Add(RunCommand.Create(global, help));
        root.Subcommands.Add(ModelsCommand.Create(global, help));
        root.Subcommands.Add(BenchCommand.Create(global, help));
        root.Subcommands.Add(Serve.ServeCommand.Create(global, help));
        root.Subcommands.Add(Eval.EvalCommand.Create(global, help));
        root.Subcommands.Add(Eval.ExportCommand.Create(global, help));
        root.Subcommands.Add(Track.TrackCommand.Create(global));

        // No command: the usage, and the exit code of bad arguments.
        root.SetAction(result => ShowHelp(result, ExitCodes.Usage));
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static async Task<int> InvokeAsync(IReadOnlyList<string> args, InvocationConfiguration? invocation = null)
    {
        var global = new GlobalOptions();
        RootCommand root = CreateRoot(global);

        // No response files: an argument starting with '@' is a value, as it always was.
        ParseResult result = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        invocation ??= new InvocationConfiguration();

        // The host owns the signals (InterruptLifetime), and failures are reported here, as one line.
        invocation.EnableDefaultExceptionHandler = false;
        invocation.ProcessTerminationTimeout = null;
        if (result.Errors.Count > 0 && result.Action is not (HelpWithNotesAction or HelpAction))
        {
            string command = result.CommandResult.Command == root ? "streamseg" : $"streamseg {CommandPath(result)}";
            return Fail(global.Read(result), ExitCodes.Usage, $"{result.Errors[0].Message.ReplaceLineEndings(" ").TrimEnd('.')} (see '{command} --help').", null);
        }

        try
        {
            return await result.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            (int code, string message) = CliErrors.Describe(ex);
            return Fail(global.Read(result), code, message, ex);
        }
    }

    /// <summary>Writes the help of the parsed command to standard output and returns <paramref name="code"/>.</summary>
    public static int ShowHelp(ParseResult result, int code)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (Option option in result.RootCommandResult.Command.Options)
        {
            if (option is HelpOption { Action: SynchronousCommandLineAction help })
            {
                help.Invoke(result);
            }
        }

        return code;
    }

    private static HelpAction GeneratedHelp(Command root)
    {
        foreach (Option option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction action })
            {
                return action;
            }
        }

        throw new InvalidOperationException("The root command has no help option.");
    }

    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.CommandResult? c = result.CommandResult; c?.Parent is System.CommandLine.Parsing.CommandResult parent; c = parent)
        {
            names.Insert(0, c.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static int Fail(LogSettings settings, int code, string message, Exception? exception)
    {
        ProgressReporter.ClearLine();
        using ILoggerFactory factory = CliLogging.CreateFactory(settings);
        LogError(factory.CreateLogger("streamseg"), message, exception);
        return code;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogError(ILogger logger, string message, Exception? exception);
}
