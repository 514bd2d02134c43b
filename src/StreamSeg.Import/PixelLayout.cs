namespace StreamSeg.Import;

/// <summary>The layout of the image tensor a model wants, as <see cref="PreprocessGraphComposer"/> produces it.</summary>
public enum PixelLayout
{
    /// <summary>[N, C, H, W] (Ultralytics YOLO and most PyTorch exports).</summary>
    Nchw,

    /// <summary>[N, H, W, C] (TF.js and TensorFlow exports: MoveNet, RVM, selfie).</summary>
    Nhwc,

    /// <summary>[C, H, W] with no batch axis (torchvision detection exports).</summary>
    Chw,
}
