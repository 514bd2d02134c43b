using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Hosting;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.Run;

/// <summary><c>streamseg run</c>: binds the options and config file into a <see cref="RunConfig"/> and runs <see cref="RunJob"/> under the host.</summary>
internal static class RunCommand
{
    private const string Description = "segment, estimate pose and track on one or more sources";

    private const string Notes = """
        Usage: streamseg run --source <src> [--source <src2> …] [--model <model.onnx>] [options]
        Without --model (and --pose-model): the 'people' preset, MoveNet MultiPose + Robust Video Matting.

        Ctrl+C stops reading, drains the pipeline and finalises every output; a second Ctrl+C stops at once
        (outputs are still finalised). SIGTERM is a first Ctrl+C. Exit code 130 when interrupted.
        """;

    /// <summary>Creates the command.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(help);
        var binder = new RunOptionBinder(global);
        var command = new Command("run", Description);
        binder.AddTo(command);
        help.AddNotes(command, () => Notes);
        command.SetAction((result, _) => ExecuteAsync(result, binder, global));
        return command;
    }

    private static Task<int> ExecuteAsync(ParseResult result, RunOptionBinder binder, GlobalOptions global)
    {
        RunConfig config = binder.Bind(result);
        RunOptionBinder.CheckRunnable(config);
        HostApplicationBuilder builder = CliHost.CreateBuilder(global.Read(result, config));
        builder.Services.AddSingleton(config);
        builder.AddJob<RunJob>();
        return CliHost.RunJobAsync(builder);
    }
}
