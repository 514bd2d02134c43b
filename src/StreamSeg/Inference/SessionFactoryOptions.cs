namespace StreamSeg.Inference;

/// <summary>How sessions are created.</summary>
/// <param name="Device">The provider choice.</param>
/// <param name="DeviceId">The GPU ordinal.</param>
/// <param name="IntraOpThreads">ONNX Runtime's intra-op threads (0 = one per core).</param>
/// <param name="EngineCacheRoot">Where TensorRT engines are cached (a sub-folder per model hash, GPU, driver, ONNX Runtime and TensorRT versions and precision).</param>
/// <param name="Fp16">Whether TensorRT builds FP16 engines.</param>
public sealed record SessionFactoryOptions(
    ExecutionDevice Device = ExecutionDevice.Auto,
    int DeviceId = 0,
    int IntraOpThreads = 0,
    string EngineCacheRoot = "models/cache/tensorrt",
    bool Fp16 = true);
