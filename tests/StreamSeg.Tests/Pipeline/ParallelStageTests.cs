using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Pipeline;

/// <summary>
/// Preprocessing on several workers (<see cref="ParallelStage"/>): every frame of a batch gets exactly the tensor one
/// preprocess stage makes alone, each worker uses its own stage, and the frames stay in the order they came.
/// </summary>
public class ParallelStageTests
{
    private static readonly InputSpec Spec = new("images", 64, 48, Letterbox: true, PadValue: 114, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Nchw);

    private static Frame Frame(int i, int source)
    {
        var mat = new Mat(120 + (i % 3) * 8, 160, MatType.CV_8UC3);
        Cv2.Randu(mat, new Scalar(0, 0, 0), new Scalar(255, 255, 255));
        Frame frame = StreamSeg.Frames.Frame.CreateUnpooled(mat);
        frame.Meta.SourceIndex = source;
        frame.Meta.Index = i;
        return frame;
    }

    [Fact]
    public async Task ProcessBatch_SameTensorsAsOneStage_InOrder_OneStagePerWorker()
    {
        var made = new List<CountingStage>();
        await using var pool = new ParallelStage(() =>
        {
            var s = new CountingStage(new PreprocessStage([Spec]));
            lock (made)
            {
                made.Add(s);
            }

            return s;
        }, workers: 3, framesPerWorker: 2);
        await using var alone = new PreprocessStage([Spec]);
        Assert.Equal(3, made.Count);
        Assert.Equal(6, pool.MaxBatch);
        Assert.Equal("preprocess", pool.Name);

        var frames = Enumerable.Range(0, 6).Select(i => Frame(i, i % 2)).ToList();
        var copies = frames.ConvertAll(f => StreamSeg.Frames.Frame.CreateUnpooled(f.Image.Clone()));
        try
        {
            await pool.ProcessBatchAsync(frames, default);
            for (int i = 0; i < frames.Count; i++)
            {
                Assert.Equal(i, frames[i].Meta.Index);
                await alone.ProcessAsync(copies[i], default);
                float[] expected = ((ModelInputs)copies[i].Payload!).Tensors[0].Floats!;
                float[] actual = ((ModelInputs)frames[i].Payload!).Tensors[0].Floats!;
                Assert.Equal(expected, actual);
            }

            // Each worker's own stage did its share: frames w, w + 3 (no stage is shared between threads).
            Assert.All(made, s => Assert.Equal(2, s.Calls));
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
            copies.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task ProcessBatch_AWorkerFails_ItsOwnExceptionComesOut()
    {
        await using var pool = new ParallelStage(() => new FailingStage(), workers: 2);
        var frames = new List<Frame> { Frame(0, 0), Frame(1, 1) };
        try
        {
            await Assert.ThrowsAsync<InvalidDataException>(async () => await pool.ProcessBatchAsync(frames, default));
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    private sealed class CountingStage(IStage<Frame, Frame> inner) : IStage<Frame, Frame>
    {
        private int _calls;

        public int Calls => _calls;

        public string Name => inner.Name;

        public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.ProcessAsync(input, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class FailingStage : IStage<Frame, Frame>
    {
        public string Name => "failing";

        public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken) => throw new InvalidDataException("bad frame");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
