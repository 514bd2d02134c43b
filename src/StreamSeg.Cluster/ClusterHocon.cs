using System.Globalization;
using System.Text;

namespace StreamSeg.Cluster;

/// <summary>The Akka settings that <see cref="ClusterNodeOptions"/> has no typed Akka.Hosting option for.</summary>
internal static class ClusterHocon
{
    /// <summary>Gets the HOCON for <paramref name="options"/>.</summary>
    public static string Build(ClusterNodeOptions options)
    {
        var hocon = new StringBuilder();
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.failure-detector.heartbeat-interval = {Ms(options.HeartbeatInterval)}");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.failure-detector.acceptable-heartbeat-pause = {Ms(options.AcceptableHeartbeatPause)}");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.split-brain-resolver.stable-after = {Ms(options.StableAfter)}");
        if (options.DownRemovalMargin is { } margin)
        {
            hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.down-removal-margin = {Ms(margin)}");
        }

        // Coordinator state and remembered entities in Akka.DistributedData: replicated to every node, no database.
        hocon.AppendLine("akka.cluster.sharding.state-store-mode = ddata");
        hocon.AppendLine("akka.cluster.sharding.remember-entities = on");
        hocon.AppendLine("akka.cluster.sharding.remember-entities-store = ddata");
        hocon.AppendLine(CultureInfo.InvariantCulture, $"akka.cluster.sharding.rebalance-interval = {Ms(options.RebalanceInterval)}");

        // Akka keeps sharding's ddata in LMDB files by default so that it survives a restart of the whole cluster;
        // each node's replicas are in memory here (several nodes share a machine and a working directory in tests),
        // and the desired streams survive as long as a majority of nodes lives.
        hocon.AppendLine("akka.cluster.sharding.distributed-data.durable.keys = []");
        return hocon.ToString();
    }

    /// <summary>Gets the HOCON that makes Akka.Discovery's config method the default, with <paramref name="endpoints"/> (<c>host:port</c>) as <paramref name="serviceName"/>.</summary>
    public static string ConfigDiscovery(string serviceName, IReadOnlyList<string> endpoints)
    {
        var hocon = new StringBuilder();
        hocon.AppendLine("akka.discovery.method = config");
        hocon.Append(CultureInfo.InvariantCulture, $"akka.discovery.config.services.\"{serviceName}\".endpoints = [");
        hocon.AppendJoin(", ", endpoints.Select(e => $"\"{e}\""));
        hocon.AppendLine("]");
        return hocon.ToString();
    }

    private static string Ms(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}
