namespace StreamSeg.Cluster.Messages;

/// <summary>Asks a stream's entity, on whichever node owns it, for the stream's counters; answered with <see cref="ClusterStreamCounters"/>.</summary>
/// <param name="StreamId">The stream's id.</param>
internal sealed record GetStreamCounters(string StreamId) : IStreamMessage;
