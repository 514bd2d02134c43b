namespace StreamSeg.Cluster;

/// <summary>
/// Implemented by an <see cref="Serving.IStreamHost"/> that can report its streams' counters: a stream's entity answers
/// another node's <see cref="ClusterStreams.GetCountersAsync"/> with them.
/// </summary>
public interface IStreamCounterSource
{
    /// <summary>Gets the counters of stream <paramref name="id"/> in this node's pipeline; null when it does not run here.</summary>
    StreamCountersSnapshot? GetCounters(string id);
}
