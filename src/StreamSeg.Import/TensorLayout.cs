namespace StreamSeg.Import;

/// <summary>How a TF (NHWC) tensor is stored in the ONNX graph.</summary>
internal enum TensorLayout
{
    /// <summary>As TF sees it.</summary>
    Tf,

    /// <summary>A rank-4 NHWC tensor stored transposed to NCHW.</summary>
    Nchw,
}
