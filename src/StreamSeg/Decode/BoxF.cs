namespace StreamSeg.Decode;

/// <summary>An axis-aligned box in pixel coordinates, corners (x1, y1) top-left and (x2, y2) bottom-right.</summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    /// <summary>Gets the width (never negative).</summary>
    public float Width => MathF.Max(0, X2 - X1);

    /// <summary>Gets the height (never negative).</summary>
    public float Height => MathF.Max(0, Y2 - Y1);

    /// <summary>Gets the area.</summary>
    public float Area => Width * Height;

    /// <summary>Gets the centre x.</summary>
    public float CenterX => (X1 + X2) * 0.5f;

    /// <summary>Gets the centre y.</summary>
    public float CenterY => (Y1 + Y2) * 0.5f;

    /// <summary>Creates a box from its centre and size.</summary>
    public static BoxF FromCenter(float cx, float cy, float w, float h) => new(cx - (w * 0.5f), cy - (h * 0.5f), cx + (w * 0.5f), cy + (h * 0.5f));

    /// <summary>Intersection over union of two boxes; 0 when either is empty.</summary>
    public static float IoU(in BoxF a, in BoxF b)
    {
        float iw = MathF.Min(a.X2, b.X2) - MathF.Max(a.X1, b.X1);
        float ih = MathF.Min(a.Y2, b.Y2) - MathF.Max(a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0)
        {
            return 0;
        }

        float inter = iw * ih;
        float union = a.Area + b.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /// <summary>Clips the box to [0, width] × [0, height].</summary>
    public BoxF Clip(float width, float height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));
}
