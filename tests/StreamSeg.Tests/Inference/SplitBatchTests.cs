using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using StreamSeg.Cli;
using StreamSeg.Decode;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;
using Xunit.Abstractions;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// MoveNet MultiPose batched across streams by splitting its graph (<see cref="GraphBatchSplitter"/>): on real frames
/// of two videos, at both pose sizes, a batch gives each frame what the whole model gives it alone.
/// </summary>
public sealed class SplitBatchTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private static readonly string Megamind = Path.Combine(Path.GetDirectoryName(TestPaths.SampleVideo)!, "Megamind.avi");
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly ITestOutputHelper _output;
    private readonly List<Mat> _vtest;
    private readonly List<Mat> _megamind;

    public SplitBatchTests(ITestOutputHelper output)
    {
        _output = output;
        _vtest = ReadFrames(TestPaths.SampleVideo, [0, 60, 120]);
        _megamind = ReadFrames(Megamind, [10, 50, 90]);
    }

    private static string MoveNetPath => Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "movenet-multipose.onnx");

    public void Dispose()
    {
        _vtest.ForEach(f => f.Dispose());
        _megamind.ForEach(f => f.Dispose());
    }

    private static List<Mat> ReadFrames(string video, int[] numbers)
    {
        using var capture = new VideoCapture(video);
        Assert.True(capture.IsOpened(), $"cannot open {video}");
        var frames = new List<Mat>();
        for (int i = 0; frames.Count < numbers.Length; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"{video} ended before frame {i}");
            if (Array.IndexOf(numbers, i) >= 0)
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

    /// <summary>MoveNet at <paramref name="longSide"/>; with <paramref name="bytes"/> fed uint8 BGR through its prepended preprocessing (the GPU default), which is split too.</summary>
    private OnnxModel MoveNet(int longSide, bool bytes = false) =>
        new(MoveNetPath, _factory, "movenet-multipose", AdapterOptions.Default with { LongSide = longSide }, bytes ? new GraphPixelInputComposer() : null, new GraphBatchSplitter());

    private static PooledTensor Input(OnnxModel model, Mat frame)
    {
        PooledTensor t = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(model.Input, frame.Width, frame.Height), TensorWriter.ElementFor(model.Input));
        using var writer = new TensorWriter();
        writer.Write(frame, model.Input, t);
        return t;
    }

    /// <summary>The largest difference between the outputs' values; fails on a shape or length mismatch.</summary>
    private static float MaxDifference(ModelOutput expected, ModelOutput actual)
    {
        Assert.Equal(expected.Tensors.Length, actual.Tensors.Length);
        float worst = 0;
        for (int i = 0; i < expected.Tensors.Length; i++)
        {
            Assert.Equal(expected.Tensors[i].Shape, actual.Tensors[i].Shape);
            ReadOnlySpan<float> e = expected.Tensors[i].Span;
            ReadOnlySpan<float> a = actual.Tensors[i].Span;
            Assert.Equal(e.Length, a.Length);
            for (int k = 0; k < e.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(e[k] - a[k]));
            }
        }

        return worst;
    }

    private static void AssertSamePeople(Instances expected, Instances actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} people, alone {expected.Count}");
        Assert.Equal(expected.ClassIds, actual.ClassIds);
        Assert.Equal(expected.Boxes, actual.Boxes);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Keypoints, actual.Keypoints);
    }

    [PresetModelsTheory]
    [InlineData(512, false)]
    [InlineData(256, false)]
    [InlineData(256, true)]
    public void RunBatch_EqualsFrameByFrame_OnFramesOfTwoVideos(int longSide, bool bytes)
    {
        using OnnxModel model = MoveNet(longSide, bytes);
        Assert.Equal(bytes ? PixelUpload.Bgr8 : PixelUpload.Tensor, model.Input.Upload);
        Assert.True(model.SupportsBatch, model.BatchSplit);
        Assert.NotNull(model.Split);

        // Megamind (720x528) and vtest (768x576) give MoveNet inputs of one shape, so their frames share a batch too.
        List<Mat>[] groups = [_vtest, _megamind, [_vtest[0], _megamind[1], _vtest[2]]];
        float worst = 0;
        int people = 0;
        foreach (List<Mat> frames in groups)
        {
            var inputs = frames.ConvertAll(f => Input(model, f));
            try
            {
                var alone = inputs.ConvertAll(model.Run);
                try
                {
                    Assert.NotEqual(alone[0].Tensors[0].Span.ToArray(), alone[1].Tensors[0].Span.ToArray());
                    foreach (int batch in (int[])[2, 3])
                    {
                        ModelOutput[] batched = model.RunBatch(inputs.GetRange(0, batch));
                        try
                        {
                            for (int b = 0; b < batch; b++)
                            {
                                string what = $"long side {longSide}, batch {batch}, frame {b} ({frames[b].Width}x{frames[b].Height})";
                                Assert.Equal(inputs[b].Transform, batched[b].Transform);
                                float diff = MaxDifference(alone[b], batched[b]);
                                Assert.True(diff <= Tolerance, $"{what}: output_0 differs by {diff} from the frame alone");
                                worst = Math.Max(worst, diff);
                                Instances one = model.Adapter.Decode(alone[b].Tensors, alone[b].Transform);
                                AssertSamePeople(one, model.Adapter.Decode(batched[b].Tensors, batched[b].Transform), what);
                                people += one.Count;
                            }
                        }
                        finally
                        {
                            ModelOutput.DisposeAll(batched);
                        }
                    }
                }
                finally
                {
                    alone.ForEach(o => o.Dispose());
                }
            }
            finally
            {
                inputs.ForEach(t => t.Dispose());
            }
        }

        Assert.True(people > 0, "the frames show people");
        _output.WriteLine($"long side {longSide}{(bytes ? ", uint8 upload" : string.Empty)}: max |batched - alone| over output_0 = {worst:G3}; {people} people compared");
    }

    [PresetModelsFact]
    public void SplitParts_AtBatchOne_EqualTheWholeModel_OnARealFrame()
    {
        ModelSplit split = new GraphBatchSplitter().Split(File.ReadAllBytes(MoveNetPath), "input");
        Assert.True(split.IsSplit, split.Description);
        using OnnxModel model = MoveNet(512);
        using PooledTensor input = Input(model, _vtest[1]);

        using var whole = new InferenceSession(MoveNetPath);
        using var backbone = new InferenceSession(split.Backbone!);
        using var head = new InferenceSession(split.Head!);
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> expected = whole.Run(run, ["input"], [input.Value], whole.OutputNames);
        using IDisposableReadOnlyCollection<OrtValue> cut = backbone.Run(run, ["input"], [input.Value], backbone.OutputNames);
        Assert.Equal(backbone.OutputNames, head.InputNames);
        using IDisposableReadOnlyCollection<OrtValue> actual = head.Run(run, head.InputNames, [.. cut], head.OutputNames);

        Assert.Equal(["output_0"], head.OutputNames);
        Assert.Equal(expected[0].GetTensorTypeAndShape().Shape, actual[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(expected[0].GetTensorDataAsSpan<float>().ToArray(), actual[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Contains(expected[0].GetTensorDataAsSpan<float>().ToArray(), v => v > 0.3f); // someone is found
        _output.WriteLine($"{split.Description}; cut: {string.Join(", ", backbone.OutputNames)}");
    }

    [PresetModelsFact]
    public void TensorRtEngineKeys_OfBothPartsAtBothPoseSizes_AreDistinct()
    {
        var plan = new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(720, 528)], 4);
        var keys = new Dictionary<string, string>();
        var backboneHashes = new HashSet<string>();
        foreach (int longSide in (int[])[512, 256])
        {
            using OnnxModel model = MoveNet(longSide);
            (TensorRtProfile? backbone, TensorRtProfile? head) = model.Split!.ProfilesFor(plan, model.Input);
            Assert.NotNull(backbone);
            Assert.NotNull(head);

            // The per-frame part runs one frame at a time; the batched part takes 1 to 4 frames.
            Assert.All(head.Inputs, r => Assert.Equal(1, r.Max[0]));
            Assert.All(backbone.Inputs, r => Assert.Equal((1L, 4L), (r.Min[0], r.Max[0])));
            string backboneHash = Convert.ToHexStringLower(SHA256.HashData(model.Split.BackboneBytes));
            backboneHashes.Add(backboneHash);
            keys[$"backbone {longSide}"] = Key(backboneHash, backbone);
            keys[$"head {longSide}"] = Key(Convert.ToHexStringLower(SHA256.HashData(model.Split.HeadBytes)), head);
        }

        // Both sizes split the same file into the same bytes: only the profile tells their engines apart.
        Assert.Single(backboneHashes);
        Assert.Equal(4, keys.Values.Distinct().Count());
        foreach ((string part, string key) in keys)
        {
            _output.WriteLine($"{part}: {key}");
        }

        static string Key(string sha, TensorRtProfile profile) =>
            TensorRtEngineCache.Key(new TensorRtEngineIdentity(sha, "NVIDIA H100 80GB HBM3", "550.54.15", "1.31.0", "10.3.0", Fp16: true, profile.Text));
    }

    [Fact]
    public void FixtureWithoutABatchFreePart_IsNotSplit_AndSaysWhy()
    {
        // yolo-seg.onnx's graph fixes the batch at 1 from its first ops on.
        using var model = new OnnxModel(TestPaths.Model("yolo-seg.onnx"), _factory, batchSplitter: new GraphBatchSplitter());
        Assert.False(model.SupportsBatch);
        Assert.Null(model.Split);
        Assert.Equal("no part of the graph keeps the batch axis free", model.BatchSplit);
    }
}
