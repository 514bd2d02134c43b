namespace StreamSeg.Overlay;

/// <summary>Settings of <see cref="HudOverlay"/>.</summary>
public sealed record HudOverlayOptions
{
    /// <summary>Gets the corner the HUD box is drawn in. Default top-left.</summary>
    public HudCorner Corner { get; init; } = HudCorner.TopLeft;

    /// <summary>Gets the Hershey font scale. Default 0.45.</summary>
    public double FontScale { get; init; } = 0.45;

    /// <summary>Gets the opacity of the dark box behind the text, 0..1. Default 0.6.</summary>
    public float BackgroundAlpha { get; init; } = 0.6f;

    /// <summary>Gets the distance in pixels between the box and the frame edges. Default 8.</summary>
    public int Margin { get; init; } = 8;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Corner))
        {
            throw new ArgumentOutOfRangeException(nameof(Corner), Corner, "HudOverlayOptions.Corner is not a known corner.");
        }

        if (!(FontScale > 0 && FontScale <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(FontScale), FontScale, "HudOverlayOptions.FontScale must be within (0, 10].");
        }

        if (!(BackgroundAlpha >= 0f && BackgroundAlpha <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(BackgroundAlpha), BackgroundAlpha, "HudOverlayOptions.BackgroundAlpha must be within 0..1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Margin);
    }
}
