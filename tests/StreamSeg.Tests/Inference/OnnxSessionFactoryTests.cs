using StreamSeg.Inference;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

public class OnnxSessionFactoryTests
{
    [GpuFact(available: false)] // on a GPU machine the chain stops at CUDA: see the GPU test below
    public void Auto_WithoutGpuLibraries_FallsBackToCpu_LoggingEachReasonOnce()
    {
        var log = new ListLogger<OnnxSessionFactory>();
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Auto), log);
        (var s1, string p1) = factory.Create(TestPaths.Model("yolo-seg.onnx"));
        (var s2, string p2) = factory.Create(TestPaths.Model("yolo-pose.onnx"));
        s1.Dispose();
        s2.Dispose();
        Assert.Equal("CPU", p1);
        Assert.Equal("CPU", p2);
        Assert.Equal(2, log.Messages.Count);
        Assert.StartsWith("TensorRT unavailable (", log.Messages[0], StringComparison.Ordinal);
        Assert.Contains("falling back to CUDA", log.Messages[0], StringComparison.Ordinal);
        Assert.StartsWith("CUDA unavailable (", log.Messages[1], StringComparison.Ordinal);
        Assert.Contains("falling back to CPU", log.Messages[1], StringComparison.Ordinal);
        Assert.All(log.Levels, level => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level));
    }

    [GpuFact(available: false)] // on a GPU machine the chain stops at CUDA: see the GPU test below
    public void ProbeDevice_WithoutGpuLibraries_IsCpu_LogsEachReasonOnce_AndCreateAddsNothing()
    {
        var log = new ListLogger<OnnxSessionFactory>();
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Auto), log);
        Assert.Equal(ExecutionDevice.Cpu, factory.ProbeDevice());
        Assert.Equal(2, log.Messages.Count);
        Assert.StartsWith("TensorRT unavailable (", log.Messages[0], StringComparison.Ordinal);
        Assert.StartsWith("CUDA unavailable (", log.Messages[1], StringComparison.Ordinal);

        // The session then goes straight to the CPU without repeating the reasons.
        (var s, string p) = factory.Create(TestPaths.Model("yolo-seg.onnx"));
        s.Dispose();
        Assert.Equal("CPU", p);
        Assert.Equal(2, log.Messages.Count);
        Assert.Equal(ExecutionDevice.Cpu, new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu), log).ProbeDevice());
        Assert.Equal(2, log.Messages.Count);
    }

    [Fact]
    public void Forced_Cpu_NeverTriesGpu()
    {
        var log = new ListLogger<OnnxSessionFactory>();
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu), log);
        (var s, string p) = factory.Create(TestPaths.Model("yolo-seg.onnx"));
        s.Dispose();
        Assert.Equal("CPU", p);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void Reason_KeepsTheCause()
    {
        const string ort = "[ErrorCode:Fail] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory";
        Assert.Equal("libcublasLt.so.13: cannot open shared object file: No such file or directory", OnnxSessionFactory.Reason(ort));
        Assert.Equal("plain message", OnnxSessionFactory.Reason("plain message\nsecond line"));
    }

    [GpuFact]
    public void Gpu_AutoFallsBackFromTensorRtToCuda_WhenTensorRtIsMissing()
    {
        var log = new ListLogger<OnnxSessionFactory>();
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Auto), log);
        (var s, string provider) = factory.Create(TestPaths.Model("yolo-seg.onnx"));
        s.Dispose();
        Assert.True(provider is "TensorRT" or "CUDA", provider);
        if (provider == "CUDA")
        {
            Assert.Contains(log.Messages, l => l.StartsWith("TensorRT unavailable (", StringComparison.Ordinal));
        }
    }

    [TensorRtFact(available: false)]
    public void DescribeTensorRtEngine_WithoutTensorRt_ThrowsWithTheLoadersCause()
    {
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.TensorRt));
        var ex = Assert.Throws<InvalidOperationException>(() => factory.DescribeTensorRtEngine(TestPaths.Model("yolo-seg.onnx")));
        Assert.Equal($"TensorRT cannot be loaded ({TensorRtFactAttribute.LoadError})", ex.Message);
        Assert.DoesNotContain("[ErrorCode", ex.Message, StringComparison.Ordinal);
    }

    [TensorRtFact(available: false)]
    public void Create_ForcedTensorRtWithoutTensorRt_FailsWithReason_AndCreatesNoCacheFolder()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "engines");
        var log = new ListLogger<OnnxSessionFactory>();
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.TensorRt, EngineCacheRoot: root), log);
        var ex = Assert.Throws<InvalidOperationException>(() => factory.Create(TestPaths.Model("yolo-seg.onnx")));
        Assert.Contains("TensorRT: " + TensorRtFactAttribute.LoadError, ex.Message, StringComparison.Ordinal);
        Assert.Empty(log.Messages); // forced: no fallback to report
        Assert.False(Directory.Exists(root), "a failed TensorRT load must leave no cache folder");
    }

    [TensorRtFact]
    public void Create_ForcedTensorRt_WritesTheEngineIntoTheKeyedFolder()
    {
        using var dir = new TempDirectory();
        string model = TestPaths.Model("yolo-seg.onnx");
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.TensorRt, EngineCacheRoot: dir.Path));
        TensorRtEngineIdentity identity = factory.DescribeTensorRtEngine(model);
        Assert.Matches(@"^\d+\.\d+", identity.TensorRtVersion);
        Assert.Equal(TensorRtEngineCache.FileSha256(model), identity.ModelSha256);
        Assert.True(identity.Fp16);

        using (var onnx = new OnnxModel(model, factory))
        {
            Assert.Equal("TensorRT", onnx.Provider);
            onnx.WarmUp(640, 480);
        }

        string folder = factory.EngineCacheFolder(identity);
        Assert.Equal(Path.Combine(dir.Path, TensorRtEngineCache.Key(identity)), folder);
        Assert.NotEmpty(Directory.GetFiles(folder, "*.engine"));
        Assert.Equal([folder], Directory.GetDirectories(dir.Path));
    }
}
