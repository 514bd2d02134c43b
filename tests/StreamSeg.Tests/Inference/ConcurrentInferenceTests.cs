using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// Issue 16: the models of a frame run side by side. On real frames of vtest.avi (the -batch fixtures, whose outputs follow the frame), side by side gives every model
/// exactly the outputs it gives one after another; entries sharing one model instance stay on one lane; a model that
/// fails on a lane is named with the frame and its source, and the frame keeps nothing.
/// </summary>
public sealed class ConcurrentInferenceTests : IDisposable
{
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly OnnxModel _seg;
    private readonly OnnxModel _pose;

    public ConcurrentInferenceTests()
    {
        _seg = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), _factory);
        _pose = new OnnxModel(TestPaths.Model("yolo-pose-batch.onnx"), _factory);
    }

    public void Dispose()
    {
        _seg.Dispose();
        _pose.Dispose();
    }

    private static List<Mat> ReadFrames(int count)
    {
        using var capture = new VideoCapture(TestPaths.SampleVideo);
        Assert.True(capture.IsOpened(), $"cannot open {TestPaths.SampleVideo}");
        var frames = new List<Mat>();
        for (int i = 0; i < count * 60; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"vtest.avi ended before frame {i}");
            if (i % 60 == 0)
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

    /// <summary>Runs <paramref name="models"/> on each image through preprocess and inference; returns every model's outputs per frame, copied.</summary>
    private static async Task<List<float[][][]>> RunAsync(IReadOnlyList<OnnxModel> models, int concurrency, List<Mat> images, int expectedLanes)
    {
        var preprocess = new PreprocessStage([.. models.Select(m => m.Input)]);
        var inference = new InferenceStage(models, concurrency: concurrency);
        Assert.Equal(expectedLanes, inference.Concurrency);
        var result = new List<float[][][]>();
        try
        {
            for (int i = 0; i < images.Count; i++)
            {
                using Frame frame = Frame.CreateUnpooled(images[i].Clone());
                frame.Meta.Index = i;
                await preprocess.ProcessAsync(frame, CancellationToken.None);
                await inference.ProcessAsync(frame, CancellationToken.None);
                Assert.Null(frame.Payload);
                result.Add([.. ((ModelOutputs)frame.RawOutputs!).Outputs.Select(o => o.Tensors.Select(t => t.Span.ToArray()).ToArray())]);
            }
        }
        finally
        {
            await inference.DisposeAsync();
            await preprocess.DisposeAsync();
        }

        return result;
    }

    private static void AssertIdentical(List<float[][][]> expected, List<float[][][]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int f = 0; f < expected.Count; f++)
        {
            Assert.Equal(expected[f].Length, actual[f].Length);
            for (int m = 0; m < expected[f].Length; m++)
            {
                for (int t = 0; t < expected[f][m].Length; t++)
                {
                    Assert.True(expected[f][m][t].AsSpan().SequenceEqual(actual[f][m][t]), $"frame {f}, model {m}, output {t} differs");
                }
            }
        }
    }

    [Fact]
    public async Task SideBySide_GivesExactlyTheOutputsOfOneAfterAnother()
    {
        List<Mat> images = ReadFrames(4);
        try
        {
            List<float[][][]> sequential = await RunAsync([_seg, _pose], 1, images, expectedLanes: 1);
            List<float[][][]> concurrent = await RunAsync([_seg, _pose], 0, images, expectedLanes: 2);
            AssertIdentical(sequential, concurrent);

            // The frames differ, so outputs joined to the wrong frame would show.
            for (int m = 0; m < 2; m++)
            {
                Assert.Contains(Enumerable.Range(0, sequential[0][m].Length), t => !sequential[0][m][t].AsSpan().SequenceEqual(sequential[1][m][t]));
            }
        }
        finally
        {
            images.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public void Lanes_EntriesSharingAnInstanceShareALane_DistinctModelsGetTheirOwn()
    {
        using var lanes = new ModelLanes([_seg, _pose, _seg], 0);
        Assert.Equal(2, lanes.Count);
        Assert.Equal([0, 2], lanes.Lanes[0]);
        Assert.Equal([1], lanes.Lanes[1]);

        using var sequential = new ModelLanes([_seg, _pose, _seg], 1);
        Assert.Equal([[0, 1, 2]], sequential.Lanes.Select(l => l.ToArray()).ToArray());
        Assert.Equal(1, ModelLanes.LaneCount([_seg, _seg], 0));
        Assert.Equal(2, ModelLanes.LaneCount([_seg, _pose], 4));
    }

    [Fact]
    public void Deal_ByTime_LongestFirstToTheLeastLoadedLane_EntriesOfOneModelStayTogether()
    {
        // The people preset's three sessions on two cores, with their single-thread times on vtest.avi (ms): MoveNet
        // 512 105, MoveNet 256 30, RVM 151. Round-robin puts RVM behind MoveNet 512 (256 ms for that lane); by time,
        // RVM has a lane to itself and the two MoveNets share the other (135 ms).
        List<List<int>> groups = [[0], [1], [2]];
        Assert.Equal([[0, 2], [1]], ModelLanes.Deal(groups, 2, null).Select(l => l.ToArray()).ToArray());
        Assert.Equal([[2], [0, 1]], ModelLanes.Deal(groups, 2, [105, 30, 151]).Select(l => l.ToArray()).ToArray());

        // A model run twice per frame counts both runs; its entries keep their order on one lane.
        List<List<int>> shared = [[0, 3], [1], [2]];
        Assert.Equal([[0, 3], [1, 2]], ModelLanes.Deal(shared, 2, [40, 50, 50, 40]).Select(l => l.ToArray()).ToArray());
    }

    [Fact]
    public void Lanes_FewerThanModels_AfterTheMeasuredCalls_DealtByTime()
    {
        using var third = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), _factory);
        using var lanes = new ModelLanes([_seg, _pose, third], 2);
        Assert.Equal([[0, 2], [1]], lanes.Lanes.Select(l => l.ToArray()).ToArray());

        // Entry 2 is the slow one (as RVM is beside MoveNet); entry 0 must not stay on its lane.
        int[] sleepMs = [25, 8, 60];
        var ran = new int[3];
        for (int call = 0; call <= ModelLanes.MeasuredCalls; call++)
        {
            Assert.False(lanes.Balanced);
            lanes.Run(entry =>
            {
                Interlocked.Increment(ref ran[entry]);
                Thread.Sleep(sleepMs[entry]);
            });
        }

        Assert.True(lanes.Balanced);
        Assert.Equal([[2], [0, 1]], lanes.Lanes.Select(l => l.ToArray()).ToArray());
        lanes.Run(entry => Interlocked.Increment(ref ran[entry]));
        Assert.Equal(Enumerable.Repeat(ModelLanes.MeasuredCalls + 2, 3), ran);

        // As many lanes as models: nothing to deal again.
        using var own = new ModelLanes([_seg, _pose], 0);
        for (int call = 0; call <= ModelLanes.MeasuredCalls + 1; call++)
        {
            own.Run(_ => { });
        }

        Assert.False(own.Balanced);
    }

    [Fact]
    public async Task SharedInstance_TwiceInAFrame_SideBySideWithAnother_MatchesOneAfterAnother()
    {
        // One session run twice per frame (as the near/far scales of a pose model will be) next to another model:
        // both runs of the shared instance stay on one lane, so its binding is never used by two threads at once.
        List<Mat> images = ReadFrames(3);
        try
        {
            List<float[][][]> sequential = await RunAsync([_seg, _pose, _seg], 1, images, expectedLanes: 1);
            List<float[][][]> concurrent = await RunAsync([_seg, _pose, _seg], 0, images, expectedLanes: 2);
            AssertIdentical(sequential, concurrent);
            AssertIdentical([.. sequential.Select(f => new[] { f[0] })], [.. concurrent.Select(f => new[] { f[2] })]);
        }
        finally
        {
            images.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public async Task FaultOnALane_NamesModelFrameAndSource_FrameKeepsNothing_StageStaysUsable()
    {
        // yolo-pose-fault.onnx (scripts/make_fault_fixture.py) fails on bright frames and runs on dark ones.
        using var faulty = new OnnxModel(TestPaths.Model("yolo-pose-fault.onnx"), _factory);
        OnnxModel[] models = [_seg, faulty];
        var preprocess = new PreprocessStage([.. models.Select(m => m.Input)]);
        var inference = new InferenceStage(models, concurrency: 0);
        try
        {
            Assert.Equal(2, inference.Concurrency);
            using (Frame dark = TestFrames.Solid(320, 240, Scalar.Black))
            {
                dark.Meta.SourceId = "cam";
                await preprocess.ProcessAsync(dark, CancellationToken.None);
                await inference.ProcessAsync(dark, CancellationToken.None);
                Assert.Equal(2, ((ModelOutputs)dark.RawOutputs!).Outputs.Length);
            }

            using Frame bright = TestFrames.Solid(320, 240, Scalar.White);
            bright.Meta.SourceId = "cam";
            bright.Meta.Index = 7;
            await preprocess.ProcessAsync(bright, CancellationToken.None);
            ModelRunException ex = await Assert.ThrowsAsync<ModelRunException>(() => inference.ProcessAsync(bright, CancellationToken.None).AsTask());
            Assert.Equal(("yolo-pose-fault.onnx", "cam", 7L), (ex.Model, ex.SourceId, ex.FrameIndex));
            Assert.Contains("model 'yolo-pose-fault.onnx' failed on frame 7 of source 'cam'", ex.Message, StringComparison.Ordinal);
            Assert.Null(bright.Payload);
            Assert.Null(bright.RawOutputs);

            // The lanes are still there for the next frame (the pipeline ends the run, but a stage must not hang).
            using Frame again = TestFrames.Solid(320, 240, Scalar.Black);
            await preprocess.ProcessAsync(again, CancellationToken.None);
            await inference.ProcessAsync(again, CancellationToken.None);
            Assert.Equal(2, ((ModelOutputs)again.RawOutputs!).Outputs.Length);
        }
        finally
        {
            await inference.DisposeAsync();
            await preprocess.DisposeAsync();
        }
    }

    [Fact]
    public void Lanes_AFaultWaitsForTheOtherLanes_LowestEntryFaultIsThrown()
    {
        using var lanes = new ModelLanes([_seg, _pose], 0);
        int finished = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => lanes.Run(entry =>
        {
            if (entry == 0)
            {
                throw new InvalidOperationException("entry 0");
            }

            Thread.Sleep(200);
            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("entry 0", ex.Message);
        Assert.Equal(1, Volatile.Read(ref finished));
    }
}
