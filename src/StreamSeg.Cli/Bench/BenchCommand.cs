using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Hosting;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.Bench;

/// <summary><c>streamseg bench</c>: run's model and source options (bound as for a run) plus <c>--frames</c> and <c>--json</c>; <see cref="BenchJob"/> measures.</summary>
internal static class BenchCommand
{
    private const string Description = "measure inference-only and whole-pipeline throughput on one video";

    private const string Notes = """
        Usage: streamseg bench --source <video> [--model <model.onnx>] [--pose-model <m.onnx>] [--frames 200] [--json results.json]
        Without --model: the people preset (as 'streamseg run').
        """;

    /// <summary>Creates the command.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(help);
        Option<long> frames = OptionParsers.Long("--frames", "N", "frames of the whole-pipeline run (default 200)");
        Option<string> json = OptionParsers.Text("--json", "path", "also write the figures as JSON");
        var command = new Command("bench", Description);
        var runOptions = new RunOptionBinder(global);
        runOptions.AddTo(command, "--source", "--model", "--pose-model", "--device", "--threads", "--model-concurrency", "--preprocess-workers", "--adapter", "--pose-size", "--detector", "--upload");
        command.Options.Add(frames);
        command.Options.Add(json);
        help.AddNotes(command, () => Notes);
        command.SetAction((result, _) =>
        {
            RunConfig config = runOptions.Bind(result);
            RunOptionBinder.CheckRunnable(config);
            long frameCount = result.GetResult(frames) is { Implicit: false } ? result.GetValue(frames) : 200;
            config.MaxFrames = frameCount;
            HostApplicationBuilder builder = CliHost.CreateBuilder(global.Read(result, config));
            builder.Services.AddSingleton(config);
            builder.Services.AddSingleton(new BenchSettings(frameCount, result.GetValue(json)));
            builder.AddJob<BenchJob>();
            return CliHost.RunJobAsync(builder);
        });
        return command;
    }
}
