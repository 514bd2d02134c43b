namespace StreamSeg.Inference;

/// <summary>
/// Everything a serialized TensorRT engine depends on: an engine is only valid for the same model bytes, GPU, driver,
/// ONNX Runtime and TensorRT versions and precision. <see cref="TensorRtEngineCache.Key"/> turns it into a folder name.
/// </summary>
/// <param name="ModelSha256">The SHA-256 of the model file, lower-case hex.</param>
/// <param name="GpuName">The GPU model as the NVIDIA driver names it (for example <c>NVIDIA H100 80GB HBM3</c>).</param>
/// <param name="DriverVersion">The NVIDIA driver version (for example <c>550.54.15</c>).</param>
/// <param name="OrtVersion">The ONNX Runtime version.</param>
/// <param name="TensorRtVersion">The TensorRT version that was loaded (for example <c>10.3.0</c>).</param>
/// <param name="Fp16">Whether the engine is built with FP16 kernels allowed (false: FP32 only).</param>
/// <param name="Profile">
/// The optimisation profile the engine is built for (<see cref="TensorRtProfile.Text"/>), or empty when none is given
/// and TensorRT builds for the shapes it is first run with. An engine only takes shapes inside its profile, so each
/// profile gets its own folder.
/// </param>
public sealed record TensorRtEngineIdentity(
    string ModelSha256,
    string GpuName,
    string DriverVersion,
    string OrtVersion,
    string TensorRtVersion,
    bool Fp16,
    string Profile = "")
{
    /// <summary>Gets the precision as text: <c>fp16</c> or <c>fp32</c>.</summary>
    public string Precision => Fp16 ? "fp16" : "fp32";
}
