namespace StreamSeg.Overlay;

/// <summary>Settings of <see cref="KeypointOverlay"/>.</summary>
public sealed record KeypointOverlayOptions
{
    /// <summary>Gets the minimum keypoint score for a point (and the edges touching it) to be drawn. Default 0.3.</summary>
    public float Threshold { get; init; } = 0.3f;

    /// <summary>Gets the radius in pixels of a fully confident point. Default 4.</summary>
    public int PointRadius { get; init; } = 4;

    /// <summary>Gets the skeleton line thickness in pixels. Default 2.</summary>
    public int LineThickness { get; init; } = 2;

    /// <summary>Gets whether point radius and opacity grow with confidence (from about half at the threshold to full at 1). Default true.</summary>
    public bool ScaleByConfidence { get; init; } = true;

    /// <summary>
    /// Gets the skeleton edges as 0-based keypoint index pairs, or null for the default: the COCO skeleton when an
    /// instance has 17 keypoints, and points only for any other count.
    /// </summary>
    public IReadOnlyList<(int From, int To)>? Skeleton { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (!float.IsFinite(Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "KeypointOverlayOptions.Threshold must be a finite number.");
        }

        if (PointRadius is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(PointRadius), PointRadius, "KeypointOverlayOptions.PointRadius must be within 0..64.");
        }

        if (LineThickness is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(LineThickness), LineThickness, "KeypointOverlayOptions.LineThickness must be within 0..64 (0 draws no edges).");
        }

        if (Skeleton is not null)
        {
            for (int i = 0; i < Skeleton.Count; i++)
            {
                (int from, int to) = Skeleton[i];
                if (from < 0 || to < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(Skeleton), $"KeypointOverlayOptions.Skeleton edge {i} ({from},{to}) has a negative keypoint index.");
                }
            }
        }
    }
}
