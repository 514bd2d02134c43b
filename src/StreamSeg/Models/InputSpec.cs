using System.Diagnostics.CodeAnalysis;

namespace StreamSeg.Models;

/// <summary>The memory layout of an image tensor.</summary>
public enum TensorLayout
{
    /// <summary>[1, C, H, W].</summary>
    Nchw,

    /// <summary>[1, H, W, C].</summary>
    Nhwc,

    /// <summary>[C, H, W] with no batch axis (torchvision detection exports).</summary>
    Chw,
}

/// <summary>The element type of an image tensor.</summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The members name element types on purpose, as ONNX and numpy spell them.")]
public enum InputElementType
{
    /// <summary>32-bit float.</summary>
    Float32,

    /// <summary>32-bit int (TF.js MoveNet).</summary>
    Int32,
}

/// <summary>
/// What a model wants as its image input: its size (fixed, the frame's own size, or following the frame's aspect
/// ratio with <see cref="LongSide"/>), whether the frame is letterboxed, the pad value, channel order, scale, layout
/// and resampling. The preprocess stage reads this; adapters declare it.
/// </summary>
/// <param name="Name">The ONNX input name.</param>
/// <param name="Width">The input width, or 0 to feed the frame at its own size.</param>
/// <param name="Height">The input height, or 0 to feed the frame at its own size.</param>
/// <param name="Letterbox">Whether to keep the aspect ratio and pad (true) or stretch (false).</param>
/// <param name="PadValue">The grey level of the padding (114 for Ultralytics).</param>
/// <param name="Rgb">Whether the channels are RGB (true) or BGR (false).</param>
/// <param name="Scale">The factor applied to each 0..255 value (1/255 for 0..1 inputs).</param>
/// <param name="Layout">The tensor layout.</param>
/// <param name="ElementType">The element type.</param>
public sealed record InputSpec(
    string Name,
    int Width,
    int Height,
    bool Letterbox = true,
    byte PadValue = 114,
    bool Rgb = true,
    float Scale = 1f / 255f,
    TensorLayout Layout = TensorLayout.Nchw,
    InputElementType ElementType = InputElementType.Float32)
{
    /// <summary>
    /// Gets the long side of an input whose size follows the frame's aspect ratio, or 0 (the default) for a fixed
    /// size (<see cref="Width"/>×<see cref="Height"/>) or the frame's own size. When set, Width and Height are ignored
    /// and <see cref="SizeFor"/> gives the size per frame.
    /// </summary>
    public int LongSide { get; init; }

    /// <summary>Gets the multiple the short side of a <see cref="LongSide"/> input is rounded to (32 by default).</summary>
    public int SizeMultiple { get; init; } = 32;

    /// <summary>
    /// Gets who applies the pixel math (channel order, scale, layout, element type) this spec describes: the
    /// preprocess stage (<see cref="PixelUpload.Tensor"/>, the default) or the model itself
    /// (<see cref="PixelUpload.Bgr8"/>, for a model with a preprocessing graph prepended: the stage then writes the
    /// resized BGR bytes, a quarter of the float tensor, and the cast and scaling run on the model's device).
    /// </summary>
    public PixelUpload Upload { get; init; } = PixelUpload.Tensor;

    /// <summary>Gets how the frame is resampled (OpenCV bilinear by default).</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Bilinear;

    /// <summary>Gets whether the frame is fed at its own size.</summary>
    public bool NativeSize => LongSide == 0 && (Width == 0 || Height == 0);

    /// <summary>
    /// Gets the input size for a <paramref name="frameWidth"/>×<paramref name="frameHeight"/> frame. With
    /// <see cref="LongSide"/> L: the frame's long side becomes L and the short side
    /// max(m, round(short·L/long / m)·m) with m = <see cref="SizeMultiple"/>, rounding halves up (JavaScript's
    /// <c>Math.round</c>, as the TF-Hub MoveNet guidance and the references do); a square frame gives L×L.
    /// </summary>
    public (int Width, int Height) SizeFor(int frameWidth, int frameHeight)
    {
        if (LongSide > 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
            double s = (double)LongSide / Math.Max(frameWidth, frameHeight);
            int h = frameHeight >= frameWidth ? LongSide : RoundToMultiple(frameHeight * s);
            int w = frameWidth >= frameHeight ? LongSide : RoundToMultiple(frameWidth * s);
            return (w, h);
        }

        return NativeSize ? (frameWidth, frameHeight) : (Width, Height);
    }

    private int RoundToMultiple(double size) =>
        Math.Max(SizeMultiple, (int)Math.Floor((size / SizeMultiple) + 0.5) * SizeMultiple);
}
