namespace StreamSeg.Decode;

/// <summary>Settings of <see cref="MatteSplitter"/>.</summary>
public sealed record MatteSplitterOptions
{
    /// <summary>Gets the default options.</summary>
    public static MatteSplitterOptions Default { get; } = new();

    /// <summary>Gets the alpha at or above which a matte pixel is foreground (0.5).</summary>
    public float AlphaThreshold { get; init; } = 0.5f;

    /// <summary>Gets the score a keypoint needs to count as part of a skeleton (0.2, compared with <c>&gt;</c>).</summary>
    public float KeypointThreshold { get; init; } = 0.2f;

    /// <summary>Gets the name of the class whose instances receive the matte ("person").</summary>
    public string PersonClass { get; init; } = "person";

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (float.IsNaN(AlphaThreshold) || AlphaThreshold <= 0 || AlphaThreshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AlphaThreshold), AlphaThreshold, "Must be in (0, 1].");
        }

        if (float.IsNaN(KeypointThreshold) || KeypointThreshold < 0 || KeypointThreshold >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(KeypointThreshold), KeypointThreshold, "Must be in [0, 1).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(PersonClass);
    }
}
