using Akka.Cluster.Sharding;
using StreamSeg.Cluster.Messages;

namespace StreamSeg.Cluster;

/// <summary>
/// Routes stream messages by stream id, with one shard per stream: the shard is the unit Akka allocates and moves, so
/// one shard per camera lets the allocation strategy place and balance cameras one by one.
/// </summary>
internal sealed class StreamMessageExtractor : IMessageExtractor
{
    /// <summary>Gets the one instance.</summary>
    public static StreamMessageExtractor Instance { get; } = new();

    // Akka handles its own StartEntity (remember-entities restarting an entity) before the extractor.

    /// <inheritdoc/>
    public string? EntityId(object message) => (message as IStreamMessage)?.StreamId;

    /// <inheritdoc/>
    public object? EntityMessage(object message) => message;

    /// <inheritdoc/>
    public string? ShardId(object message) => EntityId(message);

    /// <inheritdoc/>
    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
