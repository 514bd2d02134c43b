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
    private readonly Option<string> _bootstrap = OptionParsers.Text("--cluster-bootstrap", "kubernetes|config", "form or join the cluster from service discovery instead of --seed: kubernetes (the pods labelled app=streamseg in this namespace, at their port named remoting) or config (the --bootstrap-endpoint list)");
    private readonly Option<int> _contactPoints = OptionParsers.Int("--bootstrap-contact-points", "N", "with --cluster-bootstrap: how many nodes must be discovered before the first forms a cluster (default 2; at most the number of nodes)");
    private readonly Option<string[]> _endpoints = new("--bootstrap-endpoint") { HelpName = "host:port", Description = "with --cluster-bootstrap config: a node's cluster endpoint, this node's too; repeatable", Arity = ArgumentArity.OneOrMore };
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
        command.Options.Add(_bootstrap);
        command.Options.Add(_contactPoints);
        command.Options.Add(_endpoints);
    }

    /// <summary>
    /// Gets the node's cluster options from the flags and the config file's keys of the same names (<c>cluster</c>,
    /// <c>cluster_port</c>, <c>cluster_host</c>, <c>seeds</c>, <c>cluster_timing</c>, <c>cluster_bootstrap</c>,
    /// <c>bootstrap_contact_points</c>, <c>bootstrap_endpoints</c>), a flag winning over its key; null without either
    /// <c>--cluster</c> or <c>cluster: true</c>.
    /// </summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="keys">The config file's settings; null: none.</param>
    /// <exception cref="ConfigException">A cluster option without <c>--cluster</c>, or a bad value.</exception>
    public ClusterNodeOptions? Bind(ParseResult result, RunConfig? keys = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        keys ??= new RunConfig();
        string[] seeds = result.GetValue(_seeds) is { Length: > 0 } flagSeeds ? flagSeeds : [.. keys.Seeds];
        int port = result.GetResult(_port) is { Implicit: false } ? result.GetValue(_port) : keys.ClusterPort ?? 0;
        string? host = result.GetValue(_host) ?? keys.ClusterHost;
        string? timing = result.GetValue(_timing) ?? keys.ClusterTiming;
        string? bootstrapMethod = result.GetValue(_bootstrap) ?? keys.ClusterBootstrap;
        string[] endpoints = result.GetValue(_endpoints) is { Length: > 0 } flagEndpoints ? flagEndpoints : [.. keys.BootstrapEndpoints];
        int? contactPoints = result.GetResult(_contactPoints) is { Implicit: false } ? result.GetValue(_contactPoints) : keys.BootstrapContactPoints;
        if (!result.GetValue(_cluster) && !keys.Cluster)
        {
            if (seeds.Length > 0 || port != 0 || host is not null || timing is not null || bootstrapMethod is not null || endpoints.Length > 0 || contactPoints is not null)
            {
                throw new ConfigException("Options '--seed', '--cluster-port', '--cluster-host', '--cluster-timing', '--cluster-bootstrap', '--bootstrap-contact-points' and '--bootstrap-endpoint' need '--cluster' (config keys: need cluster: true).");
            }

            return null;
        }

        if (port is < 0 or > 65535)
        {
            throw new ConfigException("Option '--cluster-port': must be a TCP port (0 to 65535).");
        }

        foreach (string seed in seeds)
        {
            if (!IsHostPort(seed))
            {
                throw new ConfigException($"Option '--seed': '{seed}' is not host:port.");
            }
        }

        ClusterBootstrapSettings? bootstrap = BindBootstrap(bootstrapMethod, seeds, endpoints, contactPoints);
        var options = new ClusterNodeOptions { Host = host ?? "127.0.0.1", Port = port, Seeds = seeds, Bootstrap = bootstrap };
        return timing switch
        {
            null or "production" => options,
            "loopback" => options.ForLoopbackTests(),
            _ => throw new ConfigException($"Option '--cluster-timing': '{timing}' is not production or loopback."),
        };
    }

    private static ClusterBootstrapSettings? BindBootstrap(string? method, string[] seeds, string[] endpoints, int? contactPoints)
    {
        if (method is null)
        {
            if (endpoints.Length > 0 || contactPoints is not null)
            {
                throw new ConfigException("Options '--bootstrap-endpoint' and '--bootstrap-contact-points' need '--cluster-bootstrap'.");
            }

            return null;
        }

        if (seeds.Length > 0)
        {
            throw new ConfigException("Option '--seed': not with '--cluster-bootstrap', which finds the seeds itself.");
        }

        BootstrapDiscovery discovery = method switch
        {
            "kubernetes" => BootstrapDiscovery.Kubernetes,
            "config" => BootstrapDiscovery.Config,
            _ => throw new ConfigException($"Option '--cluster-bootstrap': '{method}' is not kubernetes or config."),
        };
        if (discovery == BootstrapDiscovery.Config && endpoints.Length == 0)
        {
            throw new ConfigException("Option '--cluster-bootstrap config' needs '--bootstrap-endpoint host:port' for each node.");
        }

        if (discovery == BootstrapDiscovery.Kubernetes && endpoints.Length > 0)
        {
            throw new ConfigException("Option '--bootstrap-endpoint': only with '--cluster-bootstrap config'.");
        }

        foreach (string endpoint in endpoints)
        {
            if (!IsHostPort(endpoint))
            {
                throw new ConfigException($"Option '--bootstrap-endpoint': '{endpoint}' is not host:port.");
            }
        }

        if (contactPoints is < 1)
        {
            throw new ConfigException("Option '--bootstrap-contact-points': must be 1 or more.");
        }

        return new ClusterBootstrapSettings
        {
            Discovery = discovery,
            Endpoints = endpoints,
            RequiredContactPoints = contactPoints ?? new ClusterBootstrapSettings().RequiredContactPoints,
        };
    }

    private static bool IsHostPort(string value)
    {
        int colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535;
    }
}
