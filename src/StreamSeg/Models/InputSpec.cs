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
public enum InputElementType
{
    /// <summary>32-bit float.</summary>
    Float32,

    /// <summary>32-bit int (TF.js MoveNet).</summary>
    Int32,
}

/// <summary>
/// What a model wants as its image input: its size (or the frame's own size), whether the frame is letterboxed,
/// the pad value, channel order, scale and layout. The preprocess stage reads this; adapters declare it.
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
    /// <summary>Gets whether the frame is fed at its own size.</summary>
    public bool NativeSize => Width == 0 || Height == 0;
}
