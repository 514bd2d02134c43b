using System.Globalization;

namespace StreamSeg.Import;

/// <summary>
/// What <see cref="PreprocessGraphComposer"/> computes between a uint8 BGR image and a model's image input: channel
/// order, a per-channel affine map <c>y = x · <see cref="Scale"/> + <see cref="Offset"/></c> on the 0..255 values, and
/// the layout. The element type is the model input's own (float32, or int32 truncated toward zero).
/// </summary>
/// <remarks>
/// Normalisations fold into the affine map: <c>x / 255</c> is <c>Scale = [1f / 255f]</c>;
/// <c>(x / 255 − mean) / std</c> is <c>Scale[c] = 1 / (255 · std[c])</c>, <c>Offset[c] = −mean[c] / std[c]</c>.
/// <see cref="Scale"/> and <see cref="Offset"/> hold one value for every channel, or three in the model's channel
/// order (R, G, B when <see cref="Rgb"/>, else B, G, R).
/// </remarks>
public sealed record PixelPreprocessOptions
{
    /// <summary>Gets the name of the model input to replace; the composed model's uint8 input keeps this name.</summary>
    public required string InputName { get; init; }

    /// <summary>Gets the layout the model wants.</summary>
    public required PixelLayout Layout { get; init; }

    /// <summary>Gets whether the model wants RGB (true, the default) or BGR (false) channels.</summary>
    public bool Rgb { get; init; } = true;

    /// <summary>Gets the multiplier applied to each 0..255 value: one for all channels (1 by default) or three.</summary>
    public IReadOnlyList<float> Scale { get; init; } = [1f];

    /// <summary>Gets the value added after <see cref="Scale"/>: one for all channels (0 by default) or three.</summary>
    public IReadOnlyList<float> Offset { get; init; } = [0f];

    /// <summary>Throws when a setting is missing or out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(InputName);
        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown layout.");
        }

        CheckChannels(Scale, nameof(Scale));
        CheckChannels(Offset, nameof(Offset));
    }

    /// <summary>Gets the multiplier of model channel <paramref name="channel"/>.</summary>
    internal float ScaleOf(int channel) => Scale.Count == 1 ? Scale[0] : Scale[channel];

    /// <summary>Gets the offset of model channel <paramref name="channel"/>.</summary>
    internal float OffsetOf(int channel) => Offset.Count == 1 ? Offset[0] : Offset[channel];

    /// <summary>Describes the pixel math in one line (written into the composed model's metadata).</summary>
    internal string Describe()
    {
        string order = Rgb ? "RGB" : "BGR";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"uint8 {(Layout == PixelLayout.Chw ? "HWC" : "NHWC")} BGR -> {Layout.ToString().ToUpperInvariant()} {order}, x * [{Join(Scale)}] + [{Join(Offset)}]");
    }

    private static string Join(IReadOnlyList<float> values) =>
        string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static void CheckChannels(IReadOnlyList<float> values, string name)
    {
        if (values is null || (values.Count != 1 && values.Count != 3))
        {
            throw new ArgumentException($"{name} must hold 1 value (all channels) or 3 (one per channel); got {values?.Count.ToString(CultureInfo.InvariantCulture) ?? "null"}.", name);
        }

        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentOutOfRangeException(name, v, "Must be finite.");
            }
        }
    }
}
