using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// Cross-stream batching on real frames of vtest.avi: a batched run must give every frame exactly what a run of that
/// frame alone gives, whether the outputs are preallocated views (yolo-seg-batch: static rows) or copied out
/// (yolo-pose-batch: a free anchor count). Fixtures from scripts/make_batch_fixture.py.
/// </summary>
public sealed class BatchInferenceTests : IDisposable
{
    private static readonly int[] FrameNumbers = [0, 60, 120];
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly List<Mat> _frames = ReadFrames();

    public void Dispose() => _frames.ForEach(f => f.Dispose());

    private static List<Mat> ReadFrames()
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        Assert.True(capture.IsOpened(), $"cannot open {TestPaths.SampleVideo}");
        var frames = new List<Mat>();
        for (int i = 0; frames.Count < FrameNumbers.Length; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"vtest.avi ended before frame {i}");
            if (Array.IndexOf(FrameNumbers, i) >= 0)
            {
                frames.Add(mat);
            }
            else
            {
                mat.Dispose();
            }
        }

        return frames;
    }

    private List<PooledTensor> Inputs(OnnxModel model)
    {
        using var writer = new TensorWriter();
        var inputs = new List<PooledTensor>();
        foreach (Mat frame in _frames)
        {
            PooledTensor t = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(model.Adapter.Input, frame.Width, frame.Height), false);
            writer.Write(frame, model.Adapter.Input, t);
            inputs.Add(t);
        }

        return inputs;
    }

    private static float[][] Copy(ModelOutput output) => [.. output.Tensors.Select(t => t.Span.ToArray())];

    private static void AssertSame(float[][] expected, ModelOutput actual, string what)
    {
        Assert.Equal(expected.Length, actual.Tensors.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            ReadOnlySpan<float> a = actual.Tensors[i].Span;
            Assert.Equal(expected[i].Length, a.Length);
            float worst = 0;
            for (int k = 0; k < a.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(a[k] - expected[i][k]));
            }

            Assert.True(worst <= 1e-4f, $"{what}, output {actual.Tensors[i].Name}: max abs difference {worst} from the frame run alone");
        }
    }

    [Theory]
    [InlineData("yolo-seg-batch.onnx")]
    [InlineData("yolo-pose-batch.onnx")]
    public void RunBatch_GivesEachFrameWhatItsOwnRunGives(string file)
    {
        using var model = new OnnxModel(TestPaths.Model(file), _factory);
        Assert.True(model.SupportsBatch);
        List<PooledTensor> inputs = Inputs(model);
        try
        {
            var alone = new List<float[][]>();
            foreach (PooledTensor input in inputs)
            {
                using ModelOutput o = model.Run(input);
                alone.Add(Copy(o));
            }

            // The three frames differ, so a mix-up of rows would show.
            Assert.NotEqual(alone[0][0], alone[1][0]);
            Assert.NotEqual(alone[1][0], alone[2][0]);

            ModelOutput[] batch = model.RunBatch(inputs);
            try
            {
                Assert.Equal(inputs.Count, batch.Length);
                for (int b = 0; b < batch.Length; b++)
                {
                    Assert.Equal(1, batch[b].Tensors[0].Shape[0]);
                    Assert.Equal(inputs[b].Transform, batch[b].Transform);
                    AssertSame(alone[b], batch[b], $"{file} frame {FrameNumbers[b]}");
                }

                // What the adapter decodes from a batched row is what it decodes from the frame alone.
                using ModelOutput single = model.Run(inputs[1]);
                Instances one = model.Adapter.Decode(single.Tensors, single.Transform);
                Instances fromBatch = model.Adapter.Decode(batch[1].Tensors, batch[1].Transform);
                Assert.True(one.Count > 0, "the fixture finds instances in a vtest.avi frame");
                Assert.Equal(one.ClassIds, fromBatch.ClassIds);
                Assert.Equal(one.Boxes, fromBatch.Boxes);
            }
            finally
            {
                Array.ForEach(batch, o => o.Dispose());
            }
        }
        finally
        {
            inputs.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public void RunBatch_OutputsStayValidUntilTheLastOfTheBatchIsDisposed()
    {
        using var model = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), _factory);
        List<PooledTensor> inputs = Inputs(model);
        try
        {
            ModelOutput[] first = model.RunBatch(inputs);
            float[][] kept = Copy(first[2]);

            // Disposing some of the batch (one of them twice) must not hand its buffers to the next batch.
            first[0].Dispose();
            first[0].Dispose();
            first[1].Dispose();
            List<PooledTensor> reversed = [inputs[2], inputs[1], inputs[0]];
            ModelOutput[] second = model.RunBatch(reversed);
            AssertSame(kept, first[2], "the batch's last output after the next batch ran");
            first[2].Dispose();

            // Now the first set is free and is reused: the next batch still gets its own correct rows.
            ModelOutput[] third = model.RunBatch(inputs);
            AssertSame(kept, third[2], "a batch on a reused output set");
            AssertSame(Copy(second[0]), third[2], "the same frame in two batches");
            Array.ForEach(second, o => o.Dispose());
            Array.ForEach(third, o => o.Dispose());
        }
        finally
        {
            inputs.ForEach(t => t.Dispose());
        }
    }

    [Theory]
    [InlineData("yolo-pose-batch.onnx")] // outputs copied into rented arrays (a free anchor count)
    [InlineData("yolo-seg-batch.onnx")]  // outputs written into preallocated sets
    [InlineData("rvm-toy.onnx")]         // outputs learned from the first run, then preallocated
    public void Run_OutputDisposedTwice_GivesItsBuffersBackOnce(string file)
    {
        // A second Dispose must not hand the output's buffers back again: two later outputs would then share one
        // buffer and the second run would overwrite the first one's values.
        using var model = new OnnxModel(TestPaths.Model(file), _factory);
        List<PooledTensor> inputs = Inputs(model);
        try
        {
            float[][] expected1;
            using (ModelOutput alone = model.Run(inputs[1]))
            {
                expected1 = Copy(alone);
            }

            ModelOutput twice = model.Run(inputs[0]);
            twice.Dispose();
            twice.Dispose();

            using ModelOutput b = model.Run(inputs[1]);
            using ModelOutput c = model.Run(inputs[2]);
            var arrays = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
            foreach (RawTensor t in b.Tensors.Concat(c.Tensors))
            {
                Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(t.Data, out ArraySegment<float> segment));
                Assert.True(segment.Array!.Length == 0 || arrays.Add(segment.Array), $"{file}: output {t.Name} of two live outputs shares one buffer");
            }

            AssertSame(expected1, b, $"{file} frame {FrameNumbers[1]} after a later run");
        }
        finally
        {
            inputs.ForEach(t => t.Dispose());
        }
    }

    [Theory]
    [InlineData("yolo-seg.onnx", "fixed first dimension")]
    [InlineData("rvm-toy.onnx", "recurrent state")]
    public void RunBatch_ModelThatCannotBatch_SaysWhy(string file, string reason)
    {
        using var model = new OnnxModel(TestPaths.Model(file), _factory);
        Assert.False(model.SupportsBatch);
        using PooledTensor input = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(model.Adapter.Input, 64, 48), false);
        var ex = Assert.Throws<InvalidOperationException>(() => model.RunBatch([input, input]));
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUpBatch_GraphThatOnlyTakesBatchOne_TurnsBatchingOffWithTheReason()
    {
        // Declares images [batch,3,320,320] but reshapes to batch 1 inside (scripts/make_batch_fixture.py).
        using var trap = new OnnxModel(TestPaths.Model("yolo-pose-batch-trap.onnx"), _factory);
        Assert.True(trap.SupportsBatch);
        trap.WarmUp(768, 576);

        string? why = trap.WarmUpBatch(768, 576, 4);

        Assert.NotNull(why);
        Assert.False(trap.SupportsBatch);
        Assert.Null(trap.WarmUpBatch(768, 576, 4)); // nothing more to try

        using var good = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), _factory);
        Assert.Null(good.WarmUpBatch(768, 576, 4));
        Assert.True(good.SupportsBatch);
    }

    [Fact]
    public async Task InferenceStage_Batch_MixesBatchableAndFrameByFrameModels_AndPassesPlaceholders()
    {
        using var seg = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), _factory);
        using var pose = new OnnxModel(TestPaths.Model("yolo-pose.onnx"), _factory);
        OnnxModel[] models = [seg, pose];
        Assert.False(pose.SupportsBatch);
        var preprocess = new PreprocessStage([seg.Adapter.Input, pose.Adapter.Input]);
        var stage = new InferenceStage(models, maxBatch: 4);
        Assert.Equal(4, stage.MaxBatch);

        var frames = new List<Frame>();
        try
        {
            for (int i = 0; i < _frames.Count; i++)
            {
                Frame frame = Frame.CreateUnpooled(_frames[i].Clone());
                frame.Meta.SourceIndex = i;
                frames.Add(await preprocess.ProcessAsync(frame, CancellationToken.None));
            }

            Frame placeholder = Frame.CreateUnpooled(_frames[0].Clone());
            placeholder.Meta.IsPlaceholder = true;
            frames.Insert(1, placeholder);

            // Expected: each frame through each model alone.
            var expected = new List<float[][][]>();
            foreach (Frame f in frames.Where(f => !f.Meta.IsPlaceholder))
            {
                var inputs = (ModelInputs)f.Payload!;
                expected.Add([.. models.Select((m, k) =>
                {
                    using ModelOutput o = m.Run(inputs.Tensors[k]);
                    return Copy(o);
                })]);
            }

            await stage.ProcessBatchAsync(frames, CancellationToken.None);

            Assert.Null(placeholder.RawOutputs);
            int n = 0;
            foreach (Frame f in frames.Where(f => !f.Meta.IsPlaceholder))
            {
                Assert.Null(f.Payload); // the input tensors went back as soon as the models had run
                Assert.NotNull(f.RawOutputs);
                for (int k = 0; k < models.Length; k++)
                {
                    AssertSame(expected[n][k], ((ModelOutputs)f.RawOutputs!).Outputs[k], $"frame {n}, model {k}");
                }

                n++;
            }
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
            await preprocess.DisposeAsync();
        }
    }
}
