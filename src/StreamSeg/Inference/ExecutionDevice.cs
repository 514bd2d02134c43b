namespace StreamSeg.Inference;

/// <summary>Which execution provider to use.</summary>
public enum ExecutionDevice
{
    /// <summary>TensorRT, then CUDA, then CPU: the first that loads.</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA (fails if it cannot load).</summary>
    Cuda,

    /// <summary>TensorRT with CUDA for the nodes TensorRT cannot take (fails if TensorRT cannot load).</summary>
    TensorRt,
}
