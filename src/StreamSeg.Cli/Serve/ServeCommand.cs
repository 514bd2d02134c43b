using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cluster;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Serving;

namespace StreamSeg.Cli.Serve;

/// <summary><c>streamseg serve</c>: a long-running node whose streams are added and removed over its HTTP API.</summary>
internal static class ServeCommand
{
    private const string Description = "run as a service: streams join and leave over the HTTP stream API (/api/streams)";

    private const string Notes = """
        Usage: streamseg serve [--config node.yaml] [--http 127.0.0.1:8080] [--model …] [--max-streams N] [--mqtt url] [--node name]
               streamseg serve --cluster --cluster-port P [--cluster-host H] --seed host:port [--seed host:port …] …
               streamseg serve --cluster --cluster-port P --cluster-host H --cluster-bootstrap kubernetes|config [--bootstrap-contact-points N] [--bootstrap-endpoint host:port …] …
        The models load once and every stream shares them. The config's sources start at boot; the desired list
        (config plus API changes) is kept next to the config (node.yaml → node.streams.json) and restored on restart.
        With --cluster the nodes share one desired list (replicated in the cluster, no file): any node's API adds,
        removes and lists the cluster's streams, each stream runs on one node, and a dead node's streams move.
        SIGINT/SIGTERM finalises every stream's outputs and exits 130 (SIGINT) or 143 (SIGTERM); in a cluster it first hands its streams over.
        """;

    private static readonly string[] s_runOptions =
    [
        "--config", "--source", "--model", "--pose-model", "--adapter", "--detector", "--pose-size", "--models-dir", "--device", "--threads",
        "--batch", "--upload", "--engine-cache", "--conf", "--iou", "--http", "--mqtt", "--publish-transport", "--stall-timeout",
        "--no-reconnect", "--reconnect-attempts", "--no-track", "--track-thresh", "--no-masks", "--no-boxes", "--no-labels",
        "--no-keypoints", "--no-hud",
    ];

    /// <summary>Creates the command.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(help);
        var binder = new RunOptionBinder(global);
        var command = new Command("serve", Description);
        binder.AddTo(command, s_runOptions);
        Option<int> maxStreams = OptionParsers.Int("--max-streams", "N", "the most streams this node runs at once (default 0: no limit); one more is refused with 429");
        Option<string> node = OptionParsers.Text("--node", "name", "this node's name in the API and in each MQTT message (default: the machine's name)");
        var frameSize = new Option<string[]>("--frame-size")
        {
            HelpName = "WxH",
            Description = "a camera frame size to expect, repeatable (default 1280x720): on TensorRT the engines are built at start for these sizes and up to --batch (else --max-streams, 4 when unlimited, at most 8) frames per run, so that no camera of these sizes makes one mid-run; a camera of another size gets its own engine, logged once",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        command.Options.Add(maxStreams);
        command.Options.Add(node);
        command.Options.Add(frameSize);
        var cluster = new ClusterOptionSet();
        cluster.AddTo(command);
        help.AddNotes(command, () => Notes);
        command.SetAction((result, _) => ExecuteAsync(result, binder, global, maxStreams, node, frameSize, cluster));
        return command;
    }

    private static Task<int> ExecuteAsync(ParseResult result, RunOptionBinder binder, GlobalOptions global, Option<int> maxStreams, Option<string> node, Option<string[]> frameSize, ClusterOptionSet clusterOptions)
    {
        RunConfig config = binder.Bind(result);
        int max = result.GetValue(maxStreams);
        if (max < 0)
        {
            throw new ConfigException("Option '--max-streams': must be 0 (no limit) or more.");
        }

        string? configPath = result.GetResult(binder.Config) is { Implicit: false } ? result.GetValue(binder.Config) : null;
        ClusterNodeOptions? cluster = clusterOptions.Bind(result, config);
        string defaultName = cluster is { Port: > 0 } ? $"{cluster.Host}:{cluster.Port}" : Environment.MachineName;
        var settings = new ServeSettings(
            result.GetValue(node) is { Length: > 0 } name ? name : defaultName,
            max,
            configPath is null || cluster is not null ? null : DesiredStreams.PathFor(configPath),
            cluster,
            ParseFrameSizes(result.GetValue(frameSize)));
        HostApplicationBuilder builder = CliHost.CreateBuilder(global.Read(result, config));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<StreamHost>();

        // The cluster layer starts and stops streams through this.
        builder.Services.AddSingleton<IStreamHost>(sp => sp.GetRequiredService<StreamHost>());
        if (cluster is null)
        {
            builder.Services.AddSingleton<IStreamCatalog, LocalStreamCatalog>();
        }
        else
        {
            builder.Services.AddSingleton<ClusterStreamCatalog>();
            builder.Services.AddSingleton<IStreamCatalog>(sp => sp.GetRequiredService<ClusterStreamCatalog>());
        }

        builder.Services.AddSingleton<StreamApi>();
        builder.AddJob<ServeJob>();
        if (cluster is not null)
        {
            // After the job (whose pipeline the streams run in): hosted services stop in reverse order, so the actor
            // system's coordinated shutdown hands the streams over while the pipeline still runs.
            builder.Services.AddStreamSegCluster(cluster);
        }

        return CliHost.RunJobAsync(builder);
    }

    /// <summary>Parses the <c>--frame-size</c> values (distinct, in order); none given: null.</summary>
    /// <exception cref="ConfigException">A value is not WIDTHxHEIGHT.</exception>
    internal static List<FrameSize>? ParseFrameSizes(string[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var sizes = new List<FrameSize>();
        foreach (string text in values)
        {
            FrameSize size = FrameSize.TryParse(text) ?? throw new ConfigException($"Option '--frame-size': '{text}' is not WIDTHxHEIGHT (for example 1280x720).");
            if (!sizes.Contains(size))
            {
                sizes.Add(size);
            }
        }

        return sizes;
    }
}
