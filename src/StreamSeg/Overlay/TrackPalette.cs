using OpenCvSharp;

namespace StreamSeg.Overlay;

/// <summary>
/// A fixed palette of 20 distinct BGR colours (the Ultralytics plotting palette). A track id, or an instance index
/// when nothing is tracked, always maps to the same colour, so an object keeps its colour from frame to frame.
/// </summary>
public static class TrackPalette
{
    // Ultralytics' palette, written as RGB hex and stored as BGR for OpenCV.
    private static readonly Scalar[] s_colors =
    [
        FromRgb(0xFF3838), FromRgb(0xFF9D97), FromRgb(0xFF701F), FromRgb(0xFFB21D), FromRgb(0xCFD231),
        FromRgb(0x48F90A), FromRgb(0x92CC17), FromRgb(0x3DDB86), FromRgb(0x1A9334), FromRgb(0x00D4BB),
        FromRgb(0x2C99A8), FromRgb(0x00C2FF), FromRgb(0x344593), FromRgb(0x6473FF), FromRgb(0x0018EC),
        FromRgb(0x8438FF), FromRgb(0x520085), FromRgb(0xCB38FF), FromRgb(0xFF95C8), FromRgb(0xFF37C7),
    ];

    /// <summary>Gets the number of colours in the palette.</summary>
    public static int Count => s_colors.Length;

    /// <summary>Gets the BGR colour of <paramref name="id"/> (any integer; negative ids wrap too).</summary>
    public static Scalar Color(int id)
    {
        int i = id % s_colors.Length;
        return s_colors[i < 0 ? i + s_colors.Length : i];
    }

    /// <summary>Gets the colour of instance <paramref name="index"/>: its track id when tracked, else its index.</summary>
    internal static Scalar ForInstance(int[]? trackIds, int index) => Color(trackIds is null ? index : trackIds[index]);

    private static Scalar FromRgb(int rgb) => new(rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF);
}
