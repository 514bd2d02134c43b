using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// GPU only (run by scripts/gpu-check.sh): on CUDA and TensorRT the inputs really are in CUDA pinned host memory, and the
/// model gives the outputs it gives on managed inputs (within float tolerance). Skipped with the reason elsewhere.
/// </summary>
public class PinnedInputGpuTests
{
    private const float Tolerance = 1e-4f;

    private static Mat FirstFrame()
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        var mat = new Mat();
        Assert.True(capture.Read(mat), $"cannot read {TestPaths.SampleVideo}");
        return mat;
    }

    [GpuFact]
    public Task Cuda_PinnedInputs_SameOutputsAsManaged() =>
        AssertPinnedMatchesManaged(ExecutionDevice.Cuda, "yolo-seg.onnx", plan: null);

    [TensorRtFact]
    public Task TensorRt_PinnedInputs_SameOutputsAsManaged_AfterTheProfileReplacedTheFirstSession() =>
        AssertPinnedMatchesManaged(ExecutionDevice.TensorRt, "rvm-toy.onnx", new TensorRtShapePlan(new FrameSize(768, 576), 1));

    private static async Task AssertPinnedMatchesManaged(ExecutionDevice device, string fixture, TensorRtShapePlan? plan)
    {
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(device, IntraOpThreads: 1, EngineCacheRoot: Path.Combine(Path.GetTempPath(), "streamseg-pinned-tests")));
        using var model = new OnnxModel(TestPaths.Model(fixture), factory);
        if (plan is not null)
        {
            // The session the pinned allocator came from is replaced (and disposed) by the profile's: the memory must outlive it.
            _ = model.UseShapes(plan);
        }

        TensorMemory pinned = Assert.IsAssignableFrom<TensorMemory>(factory.PinnedHostMemory.Memory);
        Assert.True(pinned.IsPinned);
        Assert.Same(pinned, new InputMemorySelector(factory.PinnedHostMemory).For([model])[0]);

        using Mat image = FirstFrame();
        var managedStage = new PreprocessStage([model.Input]);
        var pinnedStage = new PreprocessStage([model.Input], [pinned]);
        try
        {
            for (int run = 0; run < 3; run++)
            {
                using Frame a = await managedStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
                using Frame b = await pinnedStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
                PooledTensor onPinned = ((ModelInputs)b.Payload!).Tensors[0];
                Assert.True(onPinned.IsNative);
                Assert.Equal("CudaPinned", onPinned.Value.GetTensorMemoryInfo().Name);
                using ModelOutput expected = model.Run(((ModelInputs)a.Payload!).Tensors[0]);
                using ModelOutput actual = model.Run(onPinned);
                for (int i = 0; i < expected.Tensors.Length; i++)
                {
                    ReadOnlySpan<float> e = expected.Tensors[i].Data.Span;
                    ReadOnlySpan<float> g = actual.Tensors[i].Data.Span;
                    Assert.Equal(e.Length, g.Length);
                    for (int k = 0; k < e.Length; k++)
                    {
                        Assert.True(MathF.Abs(e[k] - g[k]) <= Tolerance * MathF.Max(1f, MathF.Abs(e[k])), $"output {i}[{k}]: {g[k]} on pinned input, {e[k]} on managed");
                    }
                }
            }

            // One pinned buffer per shape, reused on every frame.
            Assert.Equal(1, pinnedStage.PoolsOf(0).Created);
        }
        finally
        {
            await managedStage.DisposeAsync();
            await pinnedStage.DisposeAsync();
            factory.PinnedHostMemory.Dispose();
        }
    }
}
