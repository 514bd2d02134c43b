namespace StreamSeg.Cli.Eval;

/// <summary>One line of a run's <c>streamseg.frame/1</c> metadata, reduced to what the exports need.</summary>
/// <param name="Source">The source id.</param>
/// <param name="SourceIndex">The source's index in the run.</param>
/// <param name="Frame">The zero-based frame index within the source.</param>
/// <param name="Width">The frame width.</param>
/// <param name="Height">The frame height.</param>
/// <param name="Instances">The frame's instances.</param>
internal sealed record FrameRecord(string Source, int SourceIndex, long Frame, int Width, int Height, IReadOnlyList<InstanceRecord> Instances);
