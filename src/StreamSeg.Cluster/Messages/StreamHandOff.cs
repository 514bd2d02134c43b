namespace StreamSeg.Cluster.Messages;

/// <summary>
/// The hand-off stop message: sharding sends it to an entity whose shard moves (rebalance, graceful leave), and the
/// entity stops its stream before it stops itself, so the stream never runs on two nodes at once.
/// </summary>
internal sealed class StreamHandOff
{
    /// <summary>Gets the one instance.</summary>
    public static StreamHandOff Instance { get; } = new();

    private StreamHandOff()
    {
    }
}
