using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class YoloPoseAdapterTests
{
    // 1 class, 2 keypoints × 3 values: 4 + 1 + 6 = 11 channels.
    private const int Channels = 11;
    private const int Anchors = 3;

    private static readonly LetterboxTransform s_transform = LetterboxTransform.Compute(128, 64, 64, 64);

    private static YoloPoseAdapter Create(string kptShape = "[2, 3]", long size = 64, Dictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string> { ["kpt_shape"] = kptShape, ["task"] = "pose" };
        foreach (KeyValuePair<string, string> pair in extra ?? [])
        {
            metadata[pair.Key] = pair.Value;
        }

        int channels = 5 + (kptShape == "[2, 3]" ? 6 : 4);
        return new YoloPoseAdapter(TestSignatures.YoloPose(size, channels, Anchors, metadata), AdapterOptions.Default);
    }

    [Fact]
    public void Decode_Keypoints_MapBackThroughLetterboxAndClip()
    {
        float[] column = [24, 32, 32, 24, 0.9f, /* kpt 0 */ 10, 10, 0.8f, /* kpt 1 */ 30, 40, 0.3f];
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (1, column));
        Instances result = Create().Decode([head], s_transform);

        Assert.Equal(1, result.Count);
        Assert.Equal(new BoxF(16, 8, 80, 56), result.Boxes[0]);
        Assert.Equal(2, result.KeypointsPerInstance);
        ReadOnlySpan<Keypoint> kps = result.KeypointsOf(0);

        // (10, 10) lies in the top padding: y = (10 − 16) / 0.5 = −12, clipped to 0.
        Assert.Equal(new Keypoint(20, 0, 0.8f), kps[0]);
        Assert.Equal(new Keypoint(60, 48, 0.3f), kps[1]);
        Assert.Equal("person", result.ClassName(0));
    }

    [Fact]
    public void Decode_TwoDimensionalKeypoints_ScoreIsOne()
    {
        float[] column = [24, 32, 32, 24, 0.9f, 10, 20, 30, 40];
        RawTensor head = TestSignatures.Head("output0", 9, Anchors, (0, column));
        Instances result = Create("[2, 2]").Decode([head], s_transform);
        Assert.Equal(new Keypoint(20, 8, 1f), result.KeypointsOf(0)[0]);
        Assert.Equal(new Keypoint(60, 48, 1f), result.KeypointsOf(0)[1]);
    }

    [Fact]
    public void Ctor_DynamicInput_UsesImgszMetadata()
    {
        Assert.Equal(320, Create(size: -1, extra: new() { ["imgsz"] = "[320, 320]" }).Input.Width);
        Assert.Equal(640, Create(size: -1).Input.Height);
        Assert.Equal(480, Create(size: -1, extra: new() { ["imgsz"] = "[480, 640]" }).Input.Height);
    }

    [Fact]
    public void TryMatch_WithoutKptShape_OnlyAcceptsCocoLayout()
    {
        Assert.True(YoloPoseAdapter.TryMatch(TestSignatures.YoloPose(640, 56, 8400), out _));
        Assert.False(YoloPoseAdapter.TryMatch(TestSignatures.YoloPose(640, 84, 8400), out string? reason));
        Assert.Contains("kpt_shape", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctor_BadKptShape_NamesTheKey()
    {
        var ex = Assert.Throws<FormatException>(() => Create("[17, x]"));
        Assert.Contains("'kpt_shape'", ex.Message, StringComparison.Ordinal);
    }
}
