namespace StreamSeg.Cli.Serve;

/// <summary>A stream as <c>GET /api/streams/{id}</c> shows it: the summary, its counters, and its fault if it failed.</summary>
internal sealed record StreamDetail(string Id, string Source, string State, double Fps, string? Node, string? Publish, string? Record, string? Meta, StreamCounters Counters, string? Error);
