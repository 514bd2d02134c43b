namespace StreamSeg.Cluster.Messages;

/// <summary>Asks the reconciler to remove a stream from the desired streams; answered by <see cref="ReconcilerReply"/>.</summary>
/// <param name="StreamId">The stream's id.</param>
internal sealed record RemoveStream(string StreamId);
