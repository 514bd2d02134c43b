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
/// <item><c>trt_profile_min_shapes</c> / <c>trt_profile_opt_shapes</c> / <c>trt_profile_max_shapes</c>, when a
/// <see cref="TensorRtProfile"/> is given: the engine is built for every shape the run will feed when the session is
/// created. Without one, for a model with dynamic input dimensions the provider builds for the shapes it is first run
/// with and rebuilds, mid-run, when a shape falls outside them.</item>
/// </list>
/// </remarks>
public static class TensorRtOptions
{
    /// <summary>The TensorRT workspace limit in bytes (2 GiB).</summary>
    public const long MaxWorkspaceBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>The TensorRT builder optimization level (0 to 5; 3 is TensorRT's default).</summary>
    public const int BuilderOptimizationLevel = 3;

    /// <summary>Builds the options for GPU <paramref name="deviceId"/> with engines and timing cache in <paramref name="cacheFolder"/>.</summary>
    public static IReadOnlyDictionary<string, string> Build(int deviceId, string cacheFolder, bool fp16) => Build(deviceId, cacheFolder, fp16, null);

    /// <summary>As <see cref="Build(int, string, bool)"/>, with the shape profile options of <paramref name="profile"/> when given.</summary>
    public static IReadOnlyDictionary<string, string> Build(int deviceId, string cacheFolder, bool fp16, TensorRtProfile? profile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(cacheFolder);
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
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
        profile?.AddTo(options);
        return options;
    }
}
