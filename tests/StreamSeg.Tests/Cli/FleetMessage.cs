namespace StreamSeg.Tests.Cli;

/// <summary>One frame message of a cluster as a subscriber saw it: the stream, the node that published it, its seq, when the node captured the frame and when it arrived.</summary>
internal sealed record FleetMessage(string Id, string Node, long Seq, DateTimeOffset Captured, DateTime Received);
