namespace StreamSeg.Overlay;

/// <summary>Settings of <see cref="MaskOverlay"/>.</summary>
public sealed record MaskOverlayOptions
{
    /// <summary>Gets the opacity of the mask fill, 0 (invisible) to 1 (opaque). Default 0.45.</summary>
    public float Alpha { get; init; } = 0.45f;

    /// <summary>Gets whether the mask's outline (one pixel, opaque) is drawn. Default true.</summary>
    public bool DrawContour { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(Alpha >= 0f && Alpha <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "MaskOverlayOptions.Alpha must be within 0..1.");
        }
    }
}
