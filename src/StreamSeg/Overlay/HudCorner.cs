namespace StreamSeg.Overlay;

/// <summary>The frame corner where <see cref="HudOverlay"/> draws its box.</summary>
public enum HudCorner
{
    /// <summary>Top-left corner.</summary>
    TopLeft,

    /// <summary>Top-right corner.</summary>
    TopRight,

    /// <summary>Bottom-left corner.</summary>
    BottomLeft,

    /// <summary>Bottom-right corner.</summary>
    BottomRight,
}
