namespace StreamSeg.Cli.Serve;

/// <summary>A stream as <c>GET /api/streams</c> lists it; URLs have their credentials redacted; the node is null while a cluster places it.</summary>
internal sealed record StreamSummary(string Id, string Source, string State, double Fps, string? Node, string? Publish, string? Record, string? Meta);
