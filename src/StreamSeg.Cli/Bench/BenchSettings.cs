namespace StreamSeg.Cli.Bench;

/// <summary>What <c>streamseg bench</c> takes beyond the run it measures.</summary>
/// <param name="Frames">Frames of the whole-pipeline run (<c>--frames</c>, default 200).</param>
/// <param name="JsonPath">Where the figures are written as JSON (<c>--json</c>), or null.</param>
internal sealed record BenchSettings(long Frames, string? JsonPath);
