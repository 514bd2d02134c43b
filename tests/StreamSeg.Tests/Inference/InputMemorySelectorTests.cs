using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// Which memory each model's input tensors come from, by the provider actually in use (issue 14): managed arrays on
/// the CPU, unchanged; CUDA pinned host memory on CUDA and TensorRT; one start-up line per model either way.
/// </summary>
public class InputMemorySelectorTests
{
    private static readonly InputSpec MoveNet512 = new("input", 0, 0, Letterbox: false) { LongSide = 512 };

    [Theory]
    [InlineData("CPU", false)]
    [InlineData("CUDA", true)]
    [InlineData("TensorRT", true)]
    public void WantsPinned_ByProvider(string provider, bool pinned) =>
        Assert.Equal(pinned, InputMemorySelector.WantsPinned(provider));

    [Fact]
    public void Cpu_Managed_OneInfoLine()
    {
        var log = new ListLogger<InputMemorySelector>();
        var selector = new InputMemorySelector(new PinnedHostMemorySource(0), log);
        Assert.Same(TensorMemory.Managed, selector.For("movenet-multipose.onnx", "CPU", MoveNet512));
        Assert.Equal("model 'movenet-multipose.onnx' (input long side 512): input tensors pooled in managed memory (provider CPU)", Assert.Single(log.Messages));
        Assert.Equal(LogLevel.Information, Assert.Single(log.Levels));
    }

    [Fact]
    public void CpuModels_FromTheFactory_ManagedAndNoPinnedAllocatorTaken()
    {
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
        using var model = new OnnxModel(TestPaths.Model("yolo-seg.onnx"), factory);
        var log = new ListLogger<InputMemorySelector>();
        IReadOnlyList<TensorMemory> memories = new InputMemorySelector(factory.PinnedHostMemory, log).For([model]);
        Assert.Same(TensorMemory.Managed, Assert.Single(memories));
        Assert.Null(factory.PinnedHostMemory.Memory);
        Assert.Null(factory.PinnedHostMemory.UnavailableReason);
        Assert.Equal("model 'yolo-seg.onnx' (input 320x320): input tensors pooled in managed memory (provider CPU)", Assert.Single(log.Messages));
    }

    [Fact]
    public void Gpu_PinnedMemory_UsedAndLogged()
    {
        var log = new ListLogger<InputMemorySelector>();
        var pinned = new FakePinnedSource();
        var selector = new InputMemorySelector(pinned.Source, log);
        Assert.Same(pinned.Memory, selector.For("rvm.onnx", "TensorRT", new InputSpec("src", 0, 0)));
        Assert.Equal("model 'rvm.onnx' (input at the frame's size): input tensors pooled in CUDA pinned host memory, per shape, reused (provider TensorRT)", Assert.Single(log.Messages));
    }

    [Fact]
    public void Gpu_PinnedAllocatorMissing_ManagedWithTheReason()
    {
        // A CPU session has no CudaPinned allocator: ONNX Runtime refuses it, and the reason is kept for the log.
        var source = new PinnedHostMemorySource(0);
        using (InferenceSession cpu = OnnxSessionFactory.CreateForInspection(TestPaths.Model("yolo-seg.onnx")))
        {
            source.OnGpuSession(cpu);
        }

        Assert.Null(source.Memory);
        Assert.False(string.IsNullOrEmpty(source.UnavailableReason));
        var log = new ListLogger<InputMemorySelector>();
        Assert.Same(TensorMemory.Managed, new InputMemorySelector(source, log).For("rvm.onnx", "CUDA", new InputSpec("src", 0, 0)));
        Assert.Equal(LogLevel.Warning, Assert.Single(log.Levels));
        Assert.Contains($"provider CUDA has no CUDA pinned allocator ({source.UnavailableReason})", log.Messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Gpu_NoGpuSessionYet_Managed()
    {
        var log = new ListLogger<InputMemorySelector>();
        Assert.Same(TensorMemory.Managed, new InputMemorySelector(new PinnedHostMemorySource(0), log).For("rvm.onnx", "CUDA", new InputSpec("src", 0, 0)));
        Assert.Contains("(no GPU session made it)", Assert.Single(log.Messages), StringComparison.Ordinal);
    }

    /// <summary>A pinned source whose memory is set without a GPU (the selector only reads <see cref="PinnedHostMemorySource.Memory"/>).</summary>
    private sealed class FakePinnedSource
    {
        public FakePinnedSource()
        {
            Memory = new OrtAllocatorTensorMemory(OrtAllocator.DefaultInstance, "CUDA pinned host", pinned: true, ownsAllocator: false);
            Source = new PinnedHostMemorySource(0, Memory);
        }

        public PinnedHostMemorySource Source { get; }

        public OrtAllocatorTensorMemory Memory { get; }
    }
}
