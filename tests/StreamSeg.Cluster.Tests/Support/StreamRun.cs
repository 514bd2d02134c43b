namespace StreamSeg.Cluster.Tests.Support;

/// <summary>One interval during which a node ran a stream.</summary>
/// <param name="Node">The node's name.</param>
/// <param name="Id">The stream's id.</param>
/// <param name="Start">When the node started it.</param>
/// <param name="Stop">When it stopped (or the node was killed); null while it runs.</param>
internal sealed record StreamRun(string Node, string Id, DateTime Start, DateTime? Stop);
