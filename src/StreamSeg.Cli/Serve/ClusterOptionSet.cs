using System.CommandLine;
using System.Globalization;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cluster;
using StreamSeg.Configuration;

namespace StreamSeg.Cli.Serve;

/// <summary>The options of <c>streamseg serve --cluster</c> and how they become <see cref="ClusterNodeOptions"/>.</summary>
internal sealed class ClusterOptionSet
{
    private readonly Option<bool> _cluster = new("--cluster") { Description = "join a cluster of nodes that share the streams (Akka.NET Cluster Sharding): any node's API serves the whole cluster" };
    private readonly Option<int> _port = OptionParsers.Int("--cluster-port", "P", "the cluster port this node listens on (default 0: the OS picks, only for a node that starts a cluster alone)");
    private readonly Option<string> _host = OptionParsers.Text("--cluster-host", "H", "the address this node binds and the others reach it at (default 127.0.0.1)");
    private readonly Option<string[]> _seeds = new("--seed") { HelpName = "host:port", Description = "a seed node of the cluster; repeatable; a node listed first in its own seeds starts the cluster", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string> _timing = OptionParsers.Text("--cluster-timing", "production|loopback", "how fast a lost node is downed and its streams move: production (Akka's defaults, ≈ 45 s) or loopback (nodes on one machine, tests: ≈ 10 s)");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_cluster);
        command.Options.Add(_port);
        command.Options.Add(_host);
        command.Options.Add(_seeds);
        command.Options.Add(_timing);
    }

    /// <summary>Gets the node's cluster options, or null without <c>--cluster</c>.</summary>
    /// <exception cref="ConfigException">A cluster option without <c>--cluster</c>, or a bad value.</exception>
    public ClusterNodeOptions? Bind(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string[] seeds = result.GetValue(_seeds) ?? [];
        int port = result.GetValue(_port);
        string? host = result.GetValue(_host);
        string? timing = result.GetValue(_timing);
        if (!result.GetValue(_cluster))
        {
            if (seeds.Length > 0 || port != 0 || host is not null || timing is not null)
            {
                throw new ConfigException("Options '--seed', '--cluster-port', '--cluster-host' and '--cluster-timing' need '--cluster'.");
            }

            return null;
        }

        if (port is < 0 or > 65535)
        {
            throw new ConfigException("Option '--cluster-port': must be a TCP port (0 to 65535).");
        }

        foreach (string seed in seeds)
        {
            int colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            {
                throw new ConfigException($"Option '--seed': '{seed}' is not host:port.");
            }
        }

        var options = new ClusterNodeOptions { Host = host ?? "127.0.0.1", Port = port, Seeds = seeds };
        return timing switch
        {
            null or "production" => options,
            "loopback" => options.ForLoopbackTests(),
            _ => throw new ConfigException($"Option '--cluster-timing': '{timing}' is not production or loopback."),
        };
    }
}
