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
}
