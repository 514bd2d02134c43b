using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Memory;

/// <summary>
/// Where pooled input tensors live (issue 14): managed arrays on the CPU, unchanged; memory an ONNX Runtime allocator
/// makes (CUDA pinned host memory on a GPU) pooled and reused the same way. On the CPU the native path is exercised
/// with ONNX Runtime's CPU allocator, which gives native memory exactly as the pinned allocator does on a GPU.
/// </summary>
public sealed class TensorMemoryTests : IDisposable
{
    private static readonly long[] Shape = [1, 3, 8, 8];

    private readonly OrtAllocatorTensorMemory _native = new(OrtAllocator.DefaultInstance, "cpu native", pinned: false, ownsAllocator: false);

    public void Dispose() => _native.Dispose();

    private static Mat FirstFrame()
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        var mat = new Mat();
        Assert.True(capture.Read(mat), $"cannot read {TestPaths.SampleVideo}");
        return mat;
    }

    [Fact]
    public void Pools_Default_ManagedArrays_AsBefore()
    {
        using var pools = new TensorPools();
        Assert.Same(TensorMemory.Managed, pools.Memory);
        Assert.False(pools.Memory.IsPinned);
        using PooledTensor t = pools.Rent(Shape, TensorElement.Float32);
        Assert.False(t.IsNative);
        Assert.NotNull(t.Floats);
        Assert.Null(t.Ints);
        Assert.Null(t.Bytes);

        // The span is the array itself: writing one shows in the other.
        t.FloatData[5] = 42f;
        Assert.Equal(42f, t.Floats![5]);
        Assert.Equal(t.Floats.Length, t.FloatData.Length);
        Assert.True(t.IntData.IsEmpty);
    }

    [Fact]
    public void Native_Tensor_NoArrays_SpanOverTheValuesMemory()
    {
        using var pools = new TensorPools(_native);
        using PooledTensor t = pools.Rent(Shape, TensorElement.Float32);
        Assert.True(t.IsNative);
        Assert.Null(t.Floats);
        Assert.Equal(3 * 8 * 8, t.FloatData.Length);
        t.FloatData[7] = 3.5f;
        Assert.Equal(3.5f, t.Value.GetTensorDataAsSpan<float>()[7]);
        Assert.Equal(Shape, t.Value.GetTensorTypeAndShape().Shape);

        using PooledTensor b = pools.Rent([1, 4, 4, 3], TensorElement.UInt8);
        b.ByteData.Fill(9);
        Assert.All(b.Value.GetTensorDataAsSpan<byte>().ToArray(), v => Assert.Equal(9, v));
        using PooledTensor i = pools.Rent([2, 5], TensorElement.Int32);
        i.IntData[9] = -3;
        Assert.Equal(-3, i.Value.GetTensorDataAsSpan<int>()[9]);
    }

    [Fact]
    public void Native_Pool_ReusesBuffers_NoAllocationAfterWarmUp()
    {
        using var pools = new TensorPools(_native);

        // Warm-up: two tensors out at once (a frame in preprocess, one in inference).
        var values = new HashSet<OrtValue>();
        PooledTensor first = pools.Rent(Shape, TensorElement.Float32);
        PooledTensor second = pools.Rent(Shape, TensorElement.Float32);
        values.Add(first.Value);
        values.Add(second.Value);
        first.Dispose();
        second.Dispose();
        Assert.Equal(2, _native.Created);

        for (int frame = 0; frame < 200; frame++)
        {
            using PooledTensor a = pools.Rent(Shape, TensorElement.Float32);
            using PooledTensor b = pools.Rent(Shape, TensorElement.Float32);
            Assert.Contains(a.Value, values);
            Assert.Contains(b.Value, values);
        }

        Assert.Equal(2, _native.Created);
        Assert.Equal(2, pools.Created);
        Assert.Equal(2, _native.LiveBuffers);
        Assert.Equal(pools.Rented, pools.Returned);
    }

    [Fact]
    public void Native_Disposal_BuffersFreed_AllocatorReleasedAfterTheLastOne()
    {
        var memory = new OrtAllocatorTensorMemory(OrtAllocator.DefaultInstance, "cpu native", pinned: false, ownsAllocator: false);
        var pools = new TensorPools(memory);
        PooledTensor held = pools.Rent(Shape, TensorElement.Float32);
        using (pools.Rent(Shape, TensorElement.Float32))
        {
        }

        // The pools go first (the stage ends) while a frame still holds its input: the idle buffer is freed now.
        pools.Dispose();
        memory.Dispose();
        Assert.Equal(1, memory.LiveBuffers);
        Assert.False(memory.AllocatorReleased);
        Assert.Throws<ObjectDisposedException>(() => new TensorPool(Shape, TensorElement.Float32, memory).Rent());

        // The frame lets go: the last buffer is freed, and only then the allocator.
        held.Dispose();
        Assert.Equal(0, memory.LiveBuffers);
        Assert.True(memory.AllocatorReleased);
    }

    public static TheoryData<string> Specs => new() { "float-nchw-letterbox", "float-nhwc-frame", "int32-tf", "uint8" };

    private static InputSpec Spec(string name) => name switch
    {
        "float-nchw-letterbox" => new InputSpec("images", 320, 320),
        "float-nhwc-frame" => new InputSpec("src", 0, 0, Letterbox: false, PadValue: 0, Layout: TensorLayout.Nhwc),
        "int32-tf" => new InputSpec("input", 0, 0, Letterbox: false, PadValue: 0, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32) { LongSide = 256, Resize = ResizeMode.TfAsymmetric },
        _ => new InputSpec("input", 0, 0, Letterbox: false, PadValue: 0, Scale: 1f, Layout: TensorLayout.Nhwc) { LongSide = 256, Upload = PixelUpload.Bgr8 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task Preprocess_NativeMemory_WritesWhatManagedWrites(string name)
    {
        InputSpec spec = Spec(name);
        using Mat image = FirstFrame();
        var managedStage = new PreprocessStage([spec]);
        var nativeStage = new PreprocessStage([spec], [_native]);
        try
        {
            using Frame a = await managedStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
            using Frame b = await nativeStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
            PooledTensor managed = ((ModelInputs)a.Payload!).Tensors[0];
            PooledTensor native = ((ModelInputs)b.Payload!).Tensors[0];
            Assert.False(managed.IsNative);
            Assert.True(native.IsNative);
            Assert.Same(_native, nativeStage.PoolsOf(0).Memory);
            Assert.Equal(managed.Shape, native.Shape);
            Assert.Equal(managed.Element, native.Element);
            Assert.True(managed.Value.GetTensorDataAsSpan<byte>().SequenceEqual(native.Value.GetTensorDataAsSpan<byte>()), $"{name}: the tensors differ");
        }
        finally
        {
            await managedStage.DisposeAsync();
            await nativeStage.DisposeAsync();
        }
    }

    [Fact]
    public void Preprocess_MemoriesMustMatchTheModels()
    {
        Assert.Throws<ArgumentException>(() => new PreprocessStage([new InputSpec("a", 64, 64), new InputSpec("b", 32, 32)], [TensorMemory.Managed]));
    }

    [Fact]
    public async Task Preprocess_ModelsOnOneMemory_SharePools_OthersManaged()
    {
        var stage = new PreprocessStage([new InputSpec("a", 64, 64), new InputSpec("b", 32, 32), new InputSpec("c", 16, 16)], [_native, TensorMemory.Managed, _native]);
        try
        {
            Assert.Same(stage.PoolsOf(0), stage.PoolsOf(2));
            Assert.NotSame(stage.PoolsOf(0), stage.PoolsOf(1));
            Assert.Same(TensorMemory.Managed, stage.PoolsOf(1).Memory);
            using Frame f = await stage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(new Mat(48, 64, MatType.CV_8UC3, Scalar.Gray)), default);
            PooledTensor[] t = ((ModelInputs)f.Payload!).Tensors;
            Assert.True(t[0].IsNative);
            Assert.False(t[1].IsNative);
            Assert.True(t[2].IsNative);
        }
        finally
        {
            await stage.DisposeAsync();
        }
    }

    [Fact]
    public async Task Model_RunOnNativeInput_SameOutputsAsManaged()
    {
        using var model = new OnnxModel(TestPaths.Model("yolo-seg.onnx"), new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)));
        using Mat image = FirstFrame();
        var managedStage = new PreprocessStage([model.Input]);
        var nativeStage = new PreprocessStage([model.Input], [_native]);
        try
        {
            using Frame a = await managedStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
            using Frame b = await nativeStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
            using ModelOutput fromManaged = model.Run(((ModelInputs)a.Payload!).Tensors[0]);
            using ModelOutput fromNative = model.Run(((ModelInputs)b.Payload!).Tensors[0]);
            Assert.Equal(fromManaged.Tensors.Length, fromNative.Tensors.Length);
            for (int i = 0; i < fromManaged.Tensors.Length; i++)
            {
                Assert.True(fromManaged.Tensors[i].Data.Span.SequenceEqual(fromNative.Tensors[i].Data.Span), $"output {i} differs");
            }
        }
        finally
        {
            await managedStage.DisposeAsync();
            await nativeStage.DisposeAsync();
        }
    }

    [Fact]
    public async Task Batch_OfNativeInputs_StackedInTheSameMemory_SameOutputsAsManaged()
    {
        using var model = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)));
        Assert.True(model.SupportsBatch);
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        var images = new List<Mat>();
        for (int i = 0; i < 3; i++)
        {
            var m = new Mat();
            Assert.True(capture.Read(m));
            images.Add(m);
        }

        var managedStage = new PreprocessStage([model.Input]);
        var nativeStage = new PreprocessStage([model.Input], [_native]);
        var frames = new List<Frame>();
        try
        {
            var managed = new List<PooledTensor>();
            var native = new List<PooledTensor>();
            foreach (Mat image in images)
            {
                Frame a = await managedStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
                Frame b = await nativeStage.ProcessAsync(StreamSeg.Frames.Frame.CreateUnpooled(image.Clone()), default);
                frames.Add(a);
                frames.Add(b);
                managed.Add(((ModelInputs)a.Payload!).Tensors[0]);
                native.Add(((ModelInputs)b.Payload!).Tensors[0]);
            }

            long before = _native.Created;
            ModelOutput[] fromManaged = model.RunBatch(managed);
            ModelOutput[] fromNative = model.RunBatch(native);

            // One more native buffer: the batch of three, stacked in the frames' memory (pooled: not made again below).
            Assert.Equal(before + 1, _native.Created);
            Array.ForEach(model.RunBatch(native), o => o.Dispose());
            Assert.Equal(before + 1, _native.Created);
            for (int f = 0; f < fromManaged.Length; f++)
            {
                for (int i = 0; i < fromManaged[f].Tensors.Length; i++)
                {
                    Assert.True(fromManaged[f].Tensors[i].Data.Span.SequenceEqual(fromNative[f].Tensors[i].Data.Span), $"frame {f}, output {i} differs");
                }
            }

            Array.ForEach(fromManaged, o => o.Dispose());
            Array.ForEach(fromNative, o => o.Dispose());
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
            images.ForEach(m => m.Dispose());
            await managedStage.DisposeAsync();
            await nativeStage.DisposeAsync();
        }
    }
}
