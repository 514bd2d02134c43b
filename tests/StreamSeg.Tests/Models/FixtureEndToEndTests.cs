using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

/// <summary>
/// Runs each fixture model (scripts/make_fixtures.py) with ONNX Runtime on a zero input, decodes with the adapter the
/// factory picks, and compares with the expectations the script computed in numpy.
/// </summary>
public class FixtureEndToEndTests
{
    private const float BoxTolerance = 1e-3f;

    public static TheoryData<string> Fixtures => new() { "yolo-seg", "yolo-pose", "maskrcnn", "maskrcnn-paste", "keypointrcnn" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decode_FixtureModel_MatchesExpectedJson(string fixture)
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Model(fixture + ".expected.json")));
        JsonElement root = expected.RootElement;
        string modelPath = TestPaths.Model(root.GetProperty("model").GetString()!);
        using var session = new InferenceSession(modelPath);
        IModelAdapter adapter = ModelAdapterFactory.Create(ModelSignatureReader.Read(session, modelPath), null);

        Assert.Equal(root.GetProperty("adapter").GetString(), adapter.Name);
        Assert.Equal(root.GetProperty("input_name").GetString(), adapter.Input.Name);
        Assert.Equal(root.GetProperty("input_width").GetInt32(), adapter.Input.Width);
        Assert.Equal(root.GetProperty("input_height").GetInt32(), adapter.Input.Height);
        if (root.TryGetProperty("class_names", out JsonElement names))
        {
            Assert.Equal(names.EnumerateArray().Select(n => n.GetString()!), adapter.ClassNames);
        }

        int cases = 0;
        foreach (JsonElement testCase in root.GetProperty("cases").EnumerateArray())
        {
            int fw = testCase.GetProperty("frame_width").GetInt32();
            int fh = testCase.GetProperty("frame_height").GetInt32();
            LetterboxTransform transform;
            long[] inputShape;
            if (adapter.Input.NativeSize)
            {
                transform = LetterboxTransform.Identity(fw, fh);
                inputShape = [3, fh, fw];
            }
            else
            {
                transform = LetterboxTransform.Compute(fw, fh, adapter.Input.Width, adapter.Input.Height);
                inputShape = [1, 3, adapter.Input.Height, adapter.Input.Width];
                JsonElement lb = testCase.GetProperty("letterbox");
                Assert.Equal(lb.GetProperty("scale").GetSingle(), transform.Scale, 5);
                Assert.Equal(lb.GetProperty("pad_x").GetInt32(), transform.PadX);
                Assert.Equal(lb.GetProperty("pad_y").GetInt32(), transform.PadY);
            }

            List<RawTensor> outputs = OrtFixture.RunZeros(session, inputShape);
            Instances actual = adapter.Decode(outputs, transform);
            CompareInstances(testCase.GetProperty("instances"), actual, $"{fixture} {fw}x{fh}");
            cases++;
        }

        Assert.True(cases > 0);
    }

    /// <summary>
    /// Runs a fixture's <c>-picture</c> twin on a real picture through the pipeline's own stages (preprocess:
    /// letterbox, grey padding, RGB, scaling; inference; decode). The twin's outputs move with the input (means of
    /// input regions are added to a box and a score; the plain fixture, which other tests run on real video, stays
    /// constant), and the script computed the expected decode from the input a correct preprocess makes, so a wrong
    /// channel order, scale, padding value or placement changes the result.
    /// </summary>
    [Theory]
    [InlineData("yolo-seg")]
    [InlineData("yolo-pose")]
    [InlineData("maskrcnn")]
    [InlineData("keypointrcnn")]
    public async Task Decode_FixtureModelOnPicture_ThroughPreprocessing_MatchesExpectedJson(string fixture)
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Model(fixture + ".expected.json")));
        JsonElement root = expected.RootElement;
        using var model = new OnnxModel(TestPaths.Model(root.GetProperty("picture_model").GetString()!), new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)));
        await using var preprocess = new PreprocessStage([model.Input]);
        await using var inference = new InferenceStage([model]);
        await using var decode = new DecodeStage([model.Adapter]);
        int cases = 0;
        foreach (JsonElement testCase in root.GetProperty("image_cases").EnumerateArray())
        {
            using Mat image = Cv2.ImRead(Path.Combine(TestPaths.Data, testCase.GetProperty("image").GetString()!), ImreadModes.Color);
            Assert.Equal((testCase.GetProperty("frame_width").GetInt32(), testCase.GetProperty("frame_height").GetInt32()), (image.Width, image.Height));
            using Frame frame = Frame.CreateUnpooled(image.Clone());
            await preprocess.ProcessAsync(frame, CancellationToken.None);
            await inference.ProcessAsync(frame, CancellationToken.None);
            await decode.ProcessAsync(frame, CancellationToken.None);
            CompareInstances(testCase.GetProperty("instances"), frame.Instances!, $"{fixture} on {testCase.GetProperty("image").GetString()}");
            cases++;
        }

        Assert.True(cases > 0);
    }

    [Fact]
    public void Decode_TorchvisionPaste_MaskKeepsThePixelsPastTheBox()
    {
        // maskrcnn-paste.onnx returns masks pasted the way torchvision's paste_masks_in_image does (computed in
        // numpy by scripts/make_fixtures.py): the first instance's mask reaches past the floor/ceil rectangle of its
        // box. The adapter used to crop at that rectangle and lose those pixels.
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(TestPaths.Model("maskrcnn-paste.expected.json")));
        JsonElement testCase = expected.RootElement.GetProperty("cases")[0];
        int fw = testCase.GetProperty("frame_width").GetInt32();
        int fh = testCase.GetProperty("frame_height").GetInt32();
        string modelPath = TestPaths.Model("maskrcnn-paste.onnx");
        using var session = new InferenceSession(modelPath);
        IModelAdapter adapter = ModelAdapterFactory.Create(ModelSignatureReader.Read(session, modelPath), null);
        Instances actual = adapter.Decode(OrtFixture.RunZeros(session, [3, fh, fw]), LetterboxTransform.Identity(fw, fh));

        // Four raw detections scoring 0.93, 0.61, 0.50 and 0.49: the filter keeps score >= 0.5.
        Assert.Equal([0.93f, 0.61f, 0.5f], actual.Scores);
        int spilled = 0;
        int i = 0;
        foreach (JsonElement e in testCase.GetProperty("instances").EnumerateArray())
        {
            InstanceMask mask = actual.Masks![i]!;
            int[] paste = [.. e.GetProperty("paste_rect").EnumerateArray().Select(v => v.GetInt32())];
            Assert.True(
                mask.X >= paste[0] && mask.Y >= paste[1] && mask.X + mask.Width <= paste[2] && mask.Y + mask.Height <= paste[3],
                $"instance {i}: mask rectangle ({mask.X}, {mask.Y}, {mask.Width}x{mask.Height}) lies outside torchvision's paste ({string.Join(", ", paste)})");
            Assert.Equal(e.GetProperty("mask").GetProperty("area").GetInt32(), mask.Area());
            BoxF box = actual.Boxes[i];
            int inBox = 0;
            for (int y = (int)MathF.Floor(box.Y1); y < (int)MathF.Ceiling(box.Y2); y++)
            {
                for (int x = (int)MathF.Floor(box.X1); x < (int)MathF.Ceiling(box.X2); x++)
                {
                    inBox += mask.Contains(x, y) ? 1 : 0;
                }
            }

            Assert.Equal(e.GetProperty("pixels_past_box").GetInt32(), mask.Area() - inBox);
            spilled += mask.Area() - inBox;
            i++;
        }

        Assert.True(spilled > 0, "the fixture has a mask past its box");
    }

    private static void CompareInstances(JsonElement expected, Instances actual, string context)
    {
        Assert.True(expected.GetArrayLength() == actual.Count, $"{context}: expected {expected.GetArrayLength()} instances, got {actual.Count}.");
        int i = 0;
        foreach (JsonElement e in expected.EnumerateArray())
        {
            string where = $"{context} instance {i}";
            float[] box = e.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            BoxF b = actual.Boxes[i];
            float[] got = [b.X1, b.Y1, b.X2, b.Y2];
            for (int j = 0; j < 4; j++)
            {
                Assert.True(MathF.Abs(box[j] - got[j]) <= BoxTolerance, $"{where}: box[{j}] expected {box[j]}, got {got[j]}.");
            }

            Assert.Equal(e.GetProperty("score").GetSingle(), actual.Scores[i], 5);
            Assert.Equal(e.GetProperty("class_id").GetInt32(), actual.ClassIds[i]);
            if (e.TryGetProperty("mask", out JsonElement mask))
            {
                CompareMask(mask, actual.Masks![i]!, where);
            }

            if (e.TryGetProperty("keypoints", out JsonElement kps))
            {
                ReadOnlySpan<Keypoint> actualKps = actual.KeypointsOf(i);
                Assert.Equal(kps.GetArrayLength(), actualKps.Length);
                int k = 0;
                foreach (JsonElement kp in kps.EnumerateArray())
                {
                    float[] v = kp.EnumerateArray().Select(x => x.GetSingle()).ToArray();
                    Keypoint a = actualKps[k];
                    Assert.True(
                        MathF.Abs(v[0] - a.X) <= BoxTolerance && MathF.Abs(v[1] - a.Y) <= BoxTolerance && MathF.Abs(v[2] - a.Score) <= 1e-5f,
                        $"{where}: keypoint {k} expected ({v[0]}, {v[1]}, {v[2]}), got {a}.");
                    k++;
                }
            }

            i++;
        }
    }

    private static void CompareMask(JsonElement expected, InstanceMask actual, string where)
    {
        Assert.Equal(
            (expected.GetProperty("x").GetInt32(), expected.GetProperty("y").GetInt32(), expected.GetProperty("width").GetInt32(), expected.GetProperty("height").GetInt32()),
            (actual.X, actual.Y, actual.Width, actual.Height));
        byte[] want = DecodeRle(expected.GetProperty("rle").GetString()!, actual.Width * actual.Height);
        int mismatches = 0;
        for (int p = 0; p < want.Length; p++)
        {
            mismatches += want[p] != actual.Data[p] ? 1 : 0;
        }

        Assert.True(mismatches == 0, $"{where}: {mismatches} mask pixels differ (expected area {expected.GetProperty("area").GetInt32()}, got {actual.Area()}).");
        Assert.Equal(expected.GetProperty("area").GetInt32(), actual.Area());
    }

    private static byte[] DecodeRle(string rle, int length)
    {
        var data = new byte[length];
        int pos = 0;
        byte value = 0;
        foreach (string part in rle.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int run = int.Parse(part, CultureInfo.InvariantCulture);
            data.AsSpan(pos, run).Fill(value);
            pos += run;
            value ^= 1;
        }

        Assert.Equal(length, pos);
        return data;
    }
}
