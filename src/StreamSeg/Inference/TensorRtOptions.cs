using System.Globalization;

namespace StreamSeg.Inference;

/// <summary>
/// Builds the provider options StreamSeg gives ONNX Runtime's TensorRT execution provider: FP16 (or FP32) engines,
/// built once and kept with their timing cache in one cache folder.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>trt_engine_cache_enable</c> / <c>trt_engine_cache_path</c>: the built engines (<c>*.engine</c>, plus a
/// <c>*.profile</c> with the input shape ranges of a dynamic-shape model) are written to the folder and loaded from it
/// on the next run instead of being rebuilt.</item>
/// <item><c>trt_timing_cache_enable</c> / <c>trt_timing_cache_path</c>: TensorRT's layer timings, in the same folder,
/// so that a rebuild (new input shapes) skips the kernel timings it already made.</item>
/// <item><c>trt_max_workspace_size</c> <see cref="MaxWorkspaceBytes"/> (2 GiB): scratch memory a layer may use while
/// building and running. Enough for the tactics of the detection, pose and matting models StreamSeg runs, and bounded
/// so that several sessions (pose + matte) and CUDA for the nodes TensorRT does not take still fit beside it.</item>
/// <item><c>trt_builder_optimization_level</c> <see cref="BuilderOptimizationLevel"/>: TensorRT's own default,
/// written out so that the engines do not change if ONNX Runtime's default does.</item>
/// </list>
/// Input shape profiles (<c>trt_profile_*_shapes</c>) are not set: for a model with dynamic input dimensions the
/// provider builds for the shapes it is run with and rebuilds, saving the new engine, when a shape falls outside them.
/// </remarks>
public static class TensorRtOptions
{
    /// <summary>The TensorRT workspace limit in bytes (2 GiB).</summary>
    public const long MaxWorkspaceBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>The TensorRT builder optimization level (0 to 5; 3 is TensorRT's default).</summary>
    public const int BuilderOptimizationLevel = 3;

    /// <summary>Builds the options for GPU <paramref name="deviceId"/> with engines and timing cache in <paramref name="cacheFolder"/>.</summary>
    public static IReadOnlyDictionary<string, string> Build(int deviceId, string cacheFolder, bool fp16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(cacheFolder);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture),
            ["trt_fp16_enable"] = fp16 ? "1" : "0",
            ["trt_engine_cache_enable"] = "1",
            ["trt_engine_cache_path"] = cacheFolder,
            ["trt_timing_cache_enable"] = "1",
            ["trt_timing_cache_path"] = cacheFolder,
            ["trt_max_workspace_size"] = MaxWorkspaceBytes.ToString(CultureInfo.InvariantCulture),
            ["trt_builder_optimization_level"] = BuilderOptimizationLevel.ToString(CultureInfo.InvariantCulture),
        };
    }
}
