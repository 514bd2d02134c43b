using StreamSeg.Serving;

namespace StreamSeg.Cluster.Messages;

/// <summary>Asks the reconciler to add <paramref name="Spec"/> to the desired streams; answered by <see cref="ReconcilerReply"/>.</summary>
/// <param name="Spec">The stream.</param>
internal sealed record AddStream(StreamSpec Spec);
