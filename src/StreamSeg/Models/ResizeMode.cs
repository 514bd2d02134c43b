namespace StreamSeg.Models;

/// <summary>How a frame is resampled to a model's input size.</summary>
public enum ResizeMode
{
    /// <summary>OpenCV bilinear (<c>INTER_LINEAR</c>, half-pixel centres) to 8-bit, as Ultralytics and torchvision exports expect.</summary>
    Bilinear,

    /// <summary>
    /// TensorFlow's <c>resize_bilinear(align_corners=false, half_pixel_centers=false)</c> (ONNX <c>asymmetric</c>),
    /// computed in double precision like TF.js's CPU kernel, then quantised to 0..255: truncated for
    /// <see cref="InputElementType.Int32"/> inputs (TF.js <c>cast</c> to int32, as Human feeds MoveNet) and rounded
    /// half to even for float inputs (<c>tf.round</c>). Reproduces the TF.js references' model inputs exactly.
    /// </summary>
    TfAsymmetric,
}
