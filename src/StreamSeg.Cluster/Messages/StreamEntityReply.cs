using StreamSeg.Serving;

namespace StreamSeg.Cluster.Messages;

/// <summary>What an entity answers to <see cref="EnsureStream"/> and <see cref="StopStream"/>.</summary>
/// <param name="StreamId">The stream's id.</param>
/// <param name="Node">The address of the node the entity runs on.</param>
/// <param name="Error">Why the node refused the stream; null when it did what was asked.</param>
/// <param name="Message">The node's one-line message when it refused.</param>
internal sealed record StreamEntityReply(string StreamId, string Node, StreamRequestError? Error = null, string? Message = null);
