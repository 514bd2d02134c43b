namespace StreamSeg.Cluster.Messages;

/// <summary>
/// Asks a stream's entity to stop its stream for good (the stream was removed): the entity stops it, answers with
/// <see cref="StreamEntityReply"/> and passivates, which also forgets it in remember-entities.
/// </summary>
/// <param name="StreamId">The stream's id.</param>
internal sealed record StopStream(string StreamId) : IStreamMessage;
