using StreamSeg.Serving;

namespace StreamSeg.Cluster.Messages;

/// <summary>What the reconciler answers to <see cref="AddStream"/> and <see cref="RemoveStream"/>.</summary>
/// <param name="Error">Why the request was refused; null when the desired streams changed.</param>
/// <param name="Message">The one-line message when it was refused.</param>
internal sealed record ReconcilerReply(StreamRequestError? Error = null, string? Message = null);
