namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="NdjsonMetadataSink"/>: where the lines go (a file path or a stream) and what they hold.</summary>
public sealed record NdjsonMetadataSinkOptions
{
    /// <summary>Gets the output file, created or overwritten; set exactly one of <see cref="Path"/> and <see cref="Stream"/>.</summary>
    public string? Path { get; init; }

    /// <summary>Gets a writable stream to write to instead of a file.</summary>
    public Stream? Stream { get; init; }

    /// <summary>Gets whether the sink leaves <see cref="Stream"/> open when it completes. Default false.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>Gets whether each instance's mask is written as COCO RLE of the full frame. Default true.</summary>
    public bool IncludeMasks { get; init; } = true;

    /// <summary>Gets the RLE <c>counts</c> form. Default <see cref="Sinks.RleFormat.Counts"/>.</summary>
    public RleFormat RleFormat { get; init; } = RleFormat.Counts;

    /// <summary>Gets the sink name used in logs and fault messages. Default <c>metadata</c>.</summary>
    public string Name { get; init; } = "metadata";

    /// <summary>Throws <see cref="ArgumentException"/> when the settings are inconsistent.</summary>
    public void Validate()
    {
        if ((Path is null) == (Stream is null))
        {
            throw new ArgumentException("NdjsonMetadataSinkOptions needs exactly one of Path and Stream.", nameof(Path));
        }

        if (Path is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(Path);
        }

        if (Stream is not null && !Stream.CanWrite)
        {
            throw new ArgumentException("NdjsonMetadataSinkOptions.Stream is not writable.", nameof(Stream));
        }

        if (!Enum.IsDefined(RleFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(RleFormat), RleFormat, "NdjsonMetadataSinkOptions.RleFormat must be Counts or String.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
    }
}
