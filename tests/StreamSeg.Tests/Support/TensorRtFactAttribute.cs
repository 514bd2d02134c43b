using Microsoft.ML.OnnxRuntime;
using StreamSeg.Inference;

namespace StreamSeg.Tests.Support;

/// <summary>
/// A fact that runs only where ONNX Runtime's TensorRT provider loads on an NVIDIA GPU (<c>[TensorRtFact]</c>), or
/// only where it does not load (<c>[TensorRtFact(available: false)]</c>, the error path); elsewhere it is skipped with
/// the reason printed.
/// </summary>
/// <remarks>
/// The provider is probed the way ONNX Runtime loads it, not by looking for files: setting an option loads
/// <c>libonnxruntime_providers_tensorrt.so</c> and with it TensorRT, CUDA and cuDNN, and fails with the loader's
/// message when one is missing.
/// </remarks>
public sealed class TensorRtFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_loadError = new(Probe);

    public TensorRtFactAttribute(bool available = true)
    {
        string? error = s_loadError.Value;
        if (available && !GpuFactAttribute.HasGpu)
        {
            Skip = new GpuFactAttribute().Skip;
        }
        else if (available && error is not null)
        {
            Skip = $"TensorRT cannot be loaded here ({error}): engine builds are checked where TensorRT is installed";
        }
        else if (!available && error is null)
        {
            Skip = "TensorRT loads here: the no-TensorRT error path is checked where it is missing";
        }
    }

    /// <summary>Gets ONNX Runtime's reason the TensorRT provider cannot be loaded, or null when it loads.</summary>
    public static string? LoadError => s_loadError.Value;

    private static string? Probe()
    {
        try
        {
            _ = OrtEnv.Instance(); // the provider library needs ONNX Runtime's logger, which the environment creates
            using var options = new OrtTensorRTProviderOptions();
            options.UpdateOptions(new Dictionary<string, string> { ["device_id"] = "0" });
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            return OnnxSessionFactory.Reason(ex.Message);
        }
    }
}
