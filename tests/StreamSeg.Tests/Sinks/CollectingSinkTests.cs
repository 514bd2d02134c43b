using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

public class CollectingSinkTests
{
    [Fact]
    public async Task WriteAsync_KeepsCopiesThatOutliveTheFrame()
    {
        await using var sink = new CollectingSink(new CollectingSinkOptions { CopyImages = true });
        var instances = new Instances([new BoxF(1, 1, 4, 4)], [0.5f], [0]);
        using (Frame frame = TestFrames.Solid(16, 8, new Scalar(1, 2, 3)))
        {
            frame.Meta.SourceId = "file.mp4";
            frame.Meta.Index = 4;
            frame.Meta.Timings[(int)PipelineStage.Decode] = 2;
            frame.Instances = instances;
            await sink.WriteAsync(frame, CancellationToken.None);
            frame.Meta.Timings[(int)PipelineStage.Decode] = 99;
        }

        await sink.CompleteAsync(CancellationToken.None);

        CollectedFrame f = Assert.Single(sink.Frames);
        Assert.True(sink.Completed);
        Assert.Equal("file.mp4", f.SourceId);
        Assert.Equal(4, f.Index);
        Assert.Equal(2, f.Timings[(int)PipelineStage.Decode]);
        Assert.Same(instances, f.Instances);
        Assert.Equal(new Vec3b(1, 2, 3), f.Image!.At<Vec3b>(0, 0));
    }

    [Fact]
    public async Task WriteAsync_PooledMasks_CopiedSoTheyOutliveTheFrame()
    {
        var pool = new TestArrayPool<byte>(42);
        await using var sink = new CollectingSink();
        var plain = new InstanceMask(0, 0, 1, 1, [1]);
        InstanceMask pooled = InstanceMask.Rent(2, 1, 2, 2, pool);
        pooled.Buffer[3] = 1;
        using (Frame frame = TestFrames.Solid(16, 8, Scalar.Black))
        {
            frame.Own(pooled);
            frame.Instances = new Instances([new BoxF(0, 0, 1, 1), new BoxF(2, 1, 4, 3)], [0.5f, 0.5f], [0, 0], masks: [plain, pooled]);
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        Assert.Equal(pool.Rented, pool.Returned);
        Instances kept = Assert.Single(sink.Frames).Instances!;
        Assert.Same(plain, kept.Masks![0]);
        Assert.False(kept.Masks[1]!.IsPooled);
        Assert.Equal([0, 0, 0, 1], kept.Masks[1]!.Data.ToArray());
        Assert.True(kept.Masks[1]!.Contains(3, 2));
    }
}
