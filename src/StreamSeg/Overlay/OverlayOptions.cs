namespace StreamSeg.Overlay;

/// <summary>The drawing switches of the whole overlay stage, turned into a list of overlays by <see cref="OverlayComposer"/>.</summary>
/// <remarks>Config example: <c>overlay: { masks: true, boxes: true, labels: true, scores: false, keypoints: true, hud: true, mask_alpha: 0.4 }</c>.</remarks>
public sealed record OverlayOptions
{
    /// <summary>Gets whether instance masks are filled. Default true.</summary>
    public bool Masks { get; init; } = true;

    /// <summary>Gets whether box outlines are drawn. Default true.</summary>
    public bool Boxes { get; init; } = true;

    /// <summary>Gets whether labels show the class name. Default true.</summary>
    public bool Labels { get; init; } = true;

    /// <summary>Gets whether labels show the score. Default true.</summary>
    public bool Scores { get; init; } = true;

    /// <summary>Gets whether labels show the track id. Default true.</summary>
    public bool TrackIds { get; init; } = true;

    /// <summary>Gets whether keypoints and skeletons are drawn. Default true.</summary>
    public bool Keypoints { get; init; } = true;

    /// <summary>Gets whether the HUD is drawn (needs an <see cref="Pipeline.IPipelineStatsView"/>). Default false.</summary>
    public bool Hud { get; init; }

    /// <summary>Gets the mask fill opacity, 0..1. Default 0.45.</summary>
    public float MaskAlpha { get; init; } = 0.45f;

    /// <summary>Gets the line thickness of boxes and skeletons in pixels. Default 2.</summary>
    public int LineThickness { get; init; } = 2;

    /// <summary>Gets the minimum keypoint score to draw. Default 0.3.</summary>
    public float KeypointThreshold { get; init; } = 0.3f;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(MaskAlpha >= 0f && MaskAlpha <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(MaskAlpha), MaskAlpha, "OverlayOptions.MaskAlpha must be within 0..1.");
        }

        if (LineThickness is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(LineThickness), LineThickness, "OverlayOptions.LineThickness must be within 1..64.");
        }

        if (!float.IsFinite(KeypointThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(KeypointThreshold), KeypointThreshold, "OverlayOptions.KeypointThreshold must be a finite number.");
        }
    }
}
