using StreamSeg.Serving;

namespace StreamSeg.Cluster.Messages;

/// <summary>Asks a stream's entity to run <paramref name="Spec"/> on its node (idempotent); answered by <see cref="StreamEntityReply"/>.</summary>
/// <param name="Spec">The stream; its id is the entity's key.</param>
internal sealed record EnsureStream(StreamSpec Spec) : IStreamMessage
{
    /// <inheritdoc/>
    public string StreamId => Spec.Id;
}
