using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Decode;

public class DecodeStageTests
{
    private const int W = 100;
    private const int H = 50;

    [Fact]
    public async Task ProcessAsync_MatteSplit_FrameReturnsEveryBufferWhenReleased()
    {
        var masks = new TestArrayPool<byte>(42);
        var mattes = new TestArrayPool<float>(42);
        var existing = new InstanceMask(0, 0, 1, 1, [1]);
        var detections = new Instances(
            [new BoxF(0, 0, 60, 50), new BoxF(40, 0, 90, 50), new BoxF(0, 0, 10, 10)],
            [0.9f, 0.8f, 0.7f],
            [0, 0, 1],
            masks: [null, null, existing],
            classNames: ["person", "dog"]);
        await using var stage = new DecodeStage(
            [new FixedAdapter(detections), new FixedMatteAdapter(mattes)],
            splitter: new MatteSplitter(MatteSplitterOptions.Default, masks));

        for (int round = 0; round < 3; round++)
        {
            Frame frame = await stage.ProcessAsync(FrameWithOutputs(), CancellationToken.None);
            Instances result = frame.Instances!;
            Assert.True(result.Masks![0]!.IsPooled && result.Masks[1]!.IsPooled);
            Assert.Same(existing, result.Masks[2]);
            Assert.Equal(90 * 50, result.Masks[0]!.Area() + result.Masks[1]!.Area());

            // The tracker may keep only some instances: the masks of the others must come back all the same.
            frame.Instances = result.Select([1]);
            Frame sink = frame.AddReference();
            frame.Dispose();
            Assert.Equal(2, masks.Outstanding);
            sink.Dispose();

            Assert.Equal((0, 0), (masks.Outstanding, mattes.Outstanding));
            Assert.Equal(masks.Rented, masks.Returned);
            Assert.Equal(mattes.Rented, mattes.Returned);
        }

        // The input's own mask belongs to whoever made it: the frame left it alone.
        Assert.Equal(1, existing.Area());
    }

    [Fact]
    public async Task ProcessAsync_YoloSegMasks_ArePooled_AndGoBackWithTheFrameEvenWhenTheTrackerDropsThem()
    {
        using var model = new OnnxModel(TestPaths.Model("yolo-seg-batch.onnx"), new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)));
        await using var preprocess = new PreprocessStage([model.Input]);
        await using var inference = new InferenceStage([model]);
        await using var decode = new DecodeStage([model.Adapter]);
        using var video = new VideoCapture(TestPaths.SampleVideo);
        int[]? firstAreas = null;
        for (int round = 0; round < 3; round++)
        {
            // The same picture each round: masks made in reused buffers must come out the same.
            using var image = new Mat();
            Assert.True(video.Set(VideoCaptureProperties.PosFrames, 30) && video.Read(image));
            Frame frame = Frame.CreateUnpooled(image.Clone());
            await preprocess.ProcessAsync(frame, CancellationToken.None);
            await inference.ProcessAsync(frame, CancellationToken.None);
            await decode.ProcessAsync(frame, CancellationToken.None);
            InstanceMask[] masks = [.. frame.Instances!.Masks!.Select(m => m!)];
            Assert.True(masks.Length > 2, "the fixture finds instances on vtest.avi");
            Assert.All(masks, m => Assert.True(m.IsPooled));
            int[] areas = [.. masks.Select(m => m.Area())];
            firstAreas ??= areas;
            Assert.Equal(firstAreas, areas);

            frame.Instances = frame.Instances.Select([0]); // the tracker keeps one instance
            frame.Dispose();
            Assert.All(masks, m => Assert.Throws<ObjectDisposedException>(() => m.Area()));
        }
    }

    [Fact]
    public async Task ProcessAsync_TwoPoseScales_WithAScaleMerger_KeepEachPersonOnce_ThenAttachToSegments()
    {
        // The preset's MoveNet at 512 (half of a close-up person) and 256 (the whole person), then a segmentation model.
        Instances half = Pose(new BoxF(40, 5, 90, 45), 0.29f, 60);
        Instances whole = Pose(new BoxF(10, 2, 92, 48), 0.63f, 30);
        var segments = new Instances([new BoxF(10, 2, 92, 48)], [0.9f], [0], classNames: ["person"]);
        IModelAdapter[] adapters = [new FixedPoseAdapter(half), new FixedPoseAdapter(whole), new FixedAdapter(segments)];

        await using var merged = new DecodeStage(adapters, scaleMerger: new PoseScaleMerger());
        using Frame frame = await merged.ProcessAsync(FrameWithOutputs(3), CancellationToken.None);
        Assert.Equal(1, frame.Instances!.Count);
        Assert.Equal(0.9f, frame.Instances.Scores[0]);
        Assert.Equal(whole.KeypointsOf(0).ToArray(), frame.Instances.KeypointsOf(0).ToArray());

        // The two scales alone: the whole person, as the scale that found them best gave them.
        await using var scales = new DecodeStage(adapters[..2], scaleMerger: new PoseScaleMerger());
        using Frame pair = await scales.ProcessAsync(FrameWithOutputs(2), CancellationToken.None);
        Assert.Equal((whole.Boxes[0], 0.63f), (pair.Instances!.Boxes[0], pair.Instances.Scores[0]));

        // Without the merger, a second pose model attaches to the first's people as it always has: the half box stays.
        await using var attached = new DecodeStage(adapters[..2]);
        using Frame other = await attached.ProcessAsync(FrameWithOutputs(2), CancellationToken.None);
        Assert.Equal((half.Boxes[0], 0.29f), (other.Instances!.Boxes[0], other.Instances.Scores[0]));
    }

    private static Instances Pose(BoxF box, float score, float x)
    {
        var kps = new Keypoint[17];
        for (int j = 0; j < kps.Length; j++)
        {
            kps[j] = new Keypoint(x + j, 10 + j, 0.8f);
        }

        return new Instances([box], [score], [0], keypoints: kps, keypointsPerInstance: 17, classNames: ["person"]);
    }

    private static Frame FrameWithOutputs(int models)
    {
        Frame frame = TestFrames.Solid(W, H, Scalar.Black);
        var transform = LetterboxTransform.Identity(W, H);
        var outputs = new ModelOutput[models];
        for (int i = 0; i < models; i++)
        {
            outputs[i] = new ModelOutput([], transform, null);
        }

        frame.RawOutputs = new ModelOutputs(outputs);
        return frame;
    }

    private static Frame FrameWithOutputs()
    {
        Frame frame = TestFrames.Solid(W, H, Scalar.Black);
        var transform = LetterboxTransform.Identity(W, H);
        frame.RawOutputs = new ModelOutputs(
        [
            new ModelOutput([], transform, null),
            new ModelOutput([], transform, null),
        ]);
        return frame;
    }

    /// <summary>A detector whose every frame has the same instances.</summary>
    private sealed class FixedAdapter(Instances instances) : IModelAdapter
    {
        public string Name => "fixed";

        public ModelTask Task => ModelTask.Detect;

        public IReadOnlyList<string> ClassNames => instances.ClassNames;

        public InputSpec Input { get; } = new("images", W, H);

        public Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform) => instances;
    }

    /// <summary>A pose model whose every frame has the same people.</summary>
    private sealed class FixedPoseAdapter(Instances instances) : IModelAdapter
    {
        public string Name => "fixed-pose";

        public ModelTask Task => ModelTask.Pose;

        public IReadOnlyList<string> ClassNames => instances.ClassNames;

        public InputSpec Input { get; } = new("input", W, H);

        public Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform) => instances;
    }

    /// <summary>A matte model whose every frame is all foreground, its matte rented from the given pool.</summary>
    private sealed class FixedMatteAdapter(TestArrayPool<float> pool) : IMatteAdapter
    {
        public string Name => "fixed-matte";

        public ModelTask Task => ModelTask.Matte;

        public IReadOnlyList<string> ClassNames => ["person"];

        public InputSpec Input { get; } = new("src", W, H);

        public Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform) => Instances.Empty;

        public Matte DecodeMatte(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
        {
            var alpha = new float[W * H];
            Array.Fill(alpha, 1f);
            return new Matte(alpha, W, H, transform, pool);
        }
    }
}
