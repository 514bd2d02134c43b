namespace StreamSeg.Overlay;

/// <summary>Settings of <see cref="BoxOverlay"/>: which parts of "<c>#&lt;track&gt; &lt;class&gt; &lt;score&gt;</c>" to draw.</summary>
public sealed record BoxOverlayOptions
{
    /// <summary>Gets whether box outlines are drawn. Default true.</summary>
    public bool DrawBoxes { get; init; } = true;

    /// <summary>Gets whether the label shows the track id (<c>#7</c>) when the instances are tracked. Default true.</summary>
    public bool ShowTrackIds { get; init; } = true;

    /// <summary>Gets whether the label shows the class name. Default true.</summary>
    public bool ShowClasses { get; init; } = true;

    /// <summary>Gets whether the label shows the score with two decimals. Default true.</summary>
    public bool ShowScores { get; init; } = true;

    /// <summary>Gets the box line thickness in pixels. Default 2.</summary>
    public int LineThickness { get; init; } = 2;

    /// <summary>Gets the Hershey font scale of the label. Default 0.5.</summary>
    public double FontScale { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (LineThickness is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(LineThickness), LineThickness, "BoxOverlayOptions.LineThickness must be within 1..64.");
        }

        if (!(FontScale > 0 && FontScale <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(FontScale), FontScale, "BoxOverlayOptions.FontScale must be within (0, 10].");
        }
    }
}
