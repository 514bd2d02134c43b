using System.Globalization;

namespace StreamSeg.Inference;

/// <summary>A frame size in pixels, as the sources deliver frames (for TensorRT shape profiles).</summary>
/// <param name="Width">The width in pixels.</param>
/// <param name="Height">The height in pixels.</param>
public readonly record struct FrameSize(int Width, int Height)
{
    /// <summary>Parses <c>WIDTHxHEIGHT</c> (or with <c>×</c>), both positive; null when <paramref name="text"/> is not one.</summary>
    public static FrameSize? TryParse(string? text)
    {
        string[] parts = (text ?? string.Empty).Split('x', '×');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w > 0 && h > 0
            ? new FrameSize(w, h)
            : null;
    }

    /// <summary>Gets the size as <c>WIDTHxHEIGHT</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");
}
