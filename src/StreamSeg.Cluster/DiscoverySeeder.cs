using Akka.Actor;
using Akka.Discovery;
using Microsoft.Extensions.Logging;

namespace StreamSeg.Cluster;

/// <summary>
/// Joins a node to its cluster with seed nodes found through Akka.Discovery (<see cref="ClusterBootstrapSettings"/>).
/// </summary>
/// <remarks>
/// <para>
/// Akka.Management's cluster bootstrap would do this over its HTTP endpoint, but Akka.Management 1.5.73 cannot start
/// here: its HTTP server needs Ceen.Httpd 0.9.9, which the package feed no longer serves, and 0.9.10 changed
/// <c>HttpServer.ListenAsync</c>'s signature (a <see cref="MissingMethodException"/> at start, which terminates the
/// actor system). So discovery is used directly, with Akka's seed-node protocol in place of bootstrap's contact-point
/// probing.
/// </para>
/// <para>
/// Once at least <see cref="ClusterBootstrapSettings.RequiredContactPoints"/> nodes, this one among them, have been
/// discovered unchanged for <see cref="ClusterBootstrapSettings.StableMargin"/>, the node joins with all of them as
/// seeds in address order. Every node computes the same order, so the same node is first: Akka lets the first seed
/// form a new cluster when no other seed answers, and every node (the first one after a restart too) joins an existing
/// cluster if any seed is in one. Unlike bootstrap, two disjoint discovery views could form two clusters; the stable
/// margin and the required count are what guard against it, as they do for bootstrap's lowest-address rule.
/// </para>
/// </remarks>
internal sealed partial class DiscoverySeeder
{
    private readonly ActorSystem _system;
    private readonly ClusterBootstrapSettings _settings;
    private readonly string _serviceName;
    private readonly ILogger _logger;

    public DiscoverySeeder(ActorSystem system, ClusterBootstrapSettings settings, string serviceName, ILogger<DiscoverySeeder> logger)
    {
        _system = system;
        _settings = settings;
        _serviceName = serviceName;
        _logger = logger;
    }

    /// <summary>Starts looking up the nodes in the background; it ends once the node has joined or the actor system terminates.</summary>
    public void Start()
    {
        var stop = new CancellationTokenSource();
        _system.WhenTerminated.ContinueWith(
            _ =>
            {
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The node joined and the lookups ended before the actor system terminated.
                }
            },
            TaskScheduler.Default);
        _ = RunAsync(stop);
    }

    private async Task RunAsync(CancellationTokenSource stop)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        Address self = cluster.SelfAddress;
        ServiceDiscovery discovery = Discovery.Get(_system).Default;
        var lookup = new Lookup(_serviceName, _settings.PortName, "tcp");
        Address[] previous = [];
        DateTime stableSince = DateTime.UtcNow;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Address[] found = [];
                try
                {
                    ServiceDiscovery.Resolved resolved = await discovery.Lookup(lookup, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                    found = [.. resolved.Addresses
                        .Where(t => t.Port is > 0)
                        .Select(t => new Address(self.Protocol, self.System, t.Host, t.Port))
                        .Distinct()
                        .OrderBy(a => a.Host, StringComparer.Ordinal)
                        .ThenBy(a => a.Port)];
                }
#pragma warning disable CA1031 // A failed lookup (API server not reachable yet …) is retried, whatever it was.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogLookupFailed(_logger, _serviceName, e.Message);
                }

                if (!found.SequenceEqual(previous))
                {
                    previous = found;
                    stableSince = DateTime.UtcNow;
                    // Once per change of the discovered set, not per lookup.
                    string nodes = string.Join(", ", found.Select(a => $"{a.Host}:{a.Port}"));
                    LogDiscovered(_logger, _serviceName, found.Length, nodes);
                }
                else if (found.Length >= _settings.RequiredContactPoints
                    && found.Contains(self)
                    && DateTime.UtcNow - stableSince >= _settings.StableMargin)
                {
                    LogJoining(_logger, found[0]);
                    cluster.JoinSeedNodes(found);
                    return;
                }

                await Task.Delay(_settings.LookupInterval, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            stop.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster bootstrap: looking up '{Service}' failed: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, string service, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster bootstrap: '{Service}' has {Count} node(s): {Nodes}")]
    private static partial void LogDiscovered(ILogger logger, string service, int count, string nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster bootstrap: joining with the discovered nodes as seeds, first {First}")]
    private static partial void LogJoining(ILogger logger, Address first);
}
