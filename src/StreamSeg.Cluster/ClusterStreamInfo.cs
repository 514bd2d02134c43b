using StreamSeg.Serving;

namespace StreamSeg.Cluster;

/// <summary>A desired stream and where it runs.</summary>
/// <param name="Spec">The stream as it was added.</param>
/// <param name="Node">The address of the node that runs it; null while it is starting or moving.</param>
public sealed record ClusterStreamInfo(StreamSpec Spec, string? Node);
