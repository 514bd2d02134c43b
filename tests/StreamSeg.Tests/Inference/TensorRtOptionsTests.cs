using StreamSeg.Inference;

namespace StreamSeg.Tests.Inference;

public class TensorRtOptionsTests
{
    [Fact]
    public void Build_Fp16_EngineAndTimingCacheInTheFolder()
    {
        IReadOnlyDictionary<string, string> options = TensorRtOptions.Build(1, "/cache/abc-gpu-0123", fp16: true);
        var expected = new Dictionary<string, string>
        {
            ["device_id"] = "1",
            ["trt_fp16_enable"] = "1",
            ["trt_engine_cache_enable"] = "1",
            ["trt_engine_cache_path"] = "/cache/abc-gpu-0123",
            ["trt_timing_cache_enable"] = "1",
            ["trt_timing_cache_path"] = "/cache/abc-gpu-0123",
            ["trt_max_workspace_size"] = "2147483648",
            ["trt_builder_optimization_level"] = "3",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), options.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Build_Fp32_Fp16Off()
    {
        Assert.Equal("0", TensorRtOptions.Build(0, "/c", fp16: false)["trt_fp16_enable"]);
    }

    [Fact]
    public void Build_NoEmptyValues()
    {
        // ONNX Runtime refuses an empty key or value ("key/value cannot be empty").
        Assert.All(TensorRtOptions.Build(0, "c", fp16: true), p => Assert.False(string.IsNullOrEmpty(p.Value), p.Key));
    }

    [Fact]
    public void Build_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorRtOptions.Build(-1, "/c", fp16: true));
        Assert.Throws<ArgumentException>(() => TensorRtOptions.Build(0, string.Empty, fp16: true));
    }
}
