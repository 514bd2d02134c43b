namespace StreamSeg.Pipeline;

/// <summary>A sink and the edge that feeds it: a slow sink fills only its own edge, which waits or drops by its policy.</summary>
/// <param name="Sink">The sink.</param>
/// <param name="Edge">The edge options in front of it.</param>
public sealed record SinkBinding(ISink Sink, EdgeOptions Edge);
