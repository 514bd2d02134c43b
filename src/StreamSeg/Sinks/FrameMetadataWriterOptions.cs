namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="FrameMetadataWriter"/>: which optional parts of a frame's JSON object are written, and how.</summary>
public sealed record FrameMetadataWriterOptions
{
    /// <summary>Gets whether each instance's mask is written as COCO RLE of the full frame. Default true.</summary>
    public bool IncludeMasks { get; init; } = true;

    /// <summary>Gets the RLE <c>counts</c> form. Default <see cref="Sinks.RleFormat.Counts"/>.</summary>
    public RleFormat RleFormat { get; init; } = RleFormat.Counts;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <see cref="RleFormat"/> is not a defined value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(RleFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(RleFormat), RleFormat, "RleFormat must be Counts or String.");
        }
    }
}
