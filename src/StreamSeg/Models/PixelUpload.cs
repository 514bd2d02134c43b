namespace StreamSeg.Models;

/// <summary>What the preprocess stage hands a model: its finished input tensor, or the resized pixels.</summary>
public enum PixelUpload
{
    /// <summary>The model's input tensor, converted on the CPU (channel order, scale, layout, element type).</summary>
    Tensor,

    /// <summary>
    /// The resized and padded frame as uint8 BGR, <c>[1,H,W,3]</c>; the model's prepended preprocessing graph does
    /// the rest on its device.
    /// </summary>
    Bgr8,
}
