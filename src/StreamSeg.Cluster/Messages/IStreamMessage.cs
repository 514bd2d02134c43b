namespace StreamSeg.Cluster.Messages;

/// <summary>A message for one stream's entity; the shard region routes it by <see cref="StreamId"/>.</summary>
internal interface IStreamMessage
{
    /// <summary>Gets the stream's id: the entity id and, one shard per entity, the shard id.</summary>
    string StreamId { get; }
}
