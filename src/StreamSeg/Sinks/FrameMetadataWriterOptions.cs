namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="FrameMetadataWriter"/>: which optional parts of a frame's JSON object are written, and how.</summary>
public sealed record FrameMetadataWriterOptions
{
    /// <summary>Gets whether each instance's mask is written as COCO RLE of the full frame. Default true.</summary>
    public bool IncludeMasks { get; init; } = true;

    /// <summary>Gets the RLE <c>counts</c> form. Default <see cref="Sinks.RleFormat.Counts"/>.</summary>
    public RleFormat RleFormat { get; init; } = RleFormat.Counts;

    /// <summary>
    /// Gets the node name a service (<c>streamseg serve</c>) stamps on each message; when set, each object also carries
    /// <c>id</c> (the stream id), <c>node</c>, and <c>seq</c>: 1, 2, 3 … per stream, so that a consumer spots gaps and
    /// duplicates. Null (default): the fields are left out, as in <c>run</c>.
    /// </summary>
    public string? Node { get; init; }

    /// <summary>
    /// Gets whether a stream's <c>seq</c> starts from the clock instead of at 1 (a cluster node): the first message this
    /// writer writes for a stream has <c>seq</c> = (milliseconds since 2024-01-01 UTC) × 4096 + 1, and each next one adds
    /// 1. A camera that moves to another node then goes on with a larger <c>seq</c> (the new owner's first message comes
    /// after the old owner's last; the step between them says it moved), as long as the nodes' clocks agree to better
    /// than the move takes, and the values stay below 2^53 (exact in JavaScript) until 2093. Default false.
    /// </summary>
    public bool SeqFromClock { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <see cref="RleFormat"/> is not a defined value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(RleFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(RleFormat), RleFormat, "RleFormat must be Counts or String.");
        }
    }
}
