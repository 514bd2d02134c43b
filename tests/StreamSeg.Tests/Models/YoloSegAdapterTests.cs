using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class YoloSegAdapterTests
{
    // 64×64 input, 2 classes, 2 mask channels, 16×16 prototypes, 4 anchors.
    private const int Size = 64;
    private const int Nc = 2;
    private const int Nm = 2;
    private const int Mp = 16;
    private const int Channels = 4 + Nc + Nm;
    private const int Anchors = 4;

    private static YoloSegAdapter Create(AdapterOptions? options = null) =>
        new(TestSignatures.YoloSeg(Size, Channels, Anchors, Nm, Mp, Mp, new() { ["names"] = "{0: 'person', 1: \"o'clock\"}" }), options ?? AdapterOptions.Default);

    private static float[] Column(float x1, float y1, float x2, float y2, float s0, float s1, float m0, float m1) =>
        [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, s0, s1, m0, m1];

    private static RawTensor Proto(Func<int, int, float> channel0)
    {
        var data = new float[Nm * Mp * Mp];
        for (int r = 0; r < Mp; r++)
        {
            for (int c = 0; c < Mp; c++)
            {
                data[(r * Mp) + c] = channel0(r, c);
                data[(Mp * Mp) + (r * Mp) + c] = -1f;
            }
        }

        return new RawTensor("output1", [1, Nm, Mp, Mp], data);
    }

    // A 128×64 frame letterboxes into 64×64 with scale 0.5 and 16 rows of padding on top.
    private static readonly LetterboxTransform s_transform = LetterboxTransform.Compute(128, 64, Size, Size);

    [Fact]
    public void Ctor_StaticInput_TakesSizeFromShapeAndNamesFromMetadata()
    {
        YoloSegAdapter adapter = Create();
        Assert.Equal(new InputSpec("images", Size, Size), adapter.Input);
        Assert.Equal(["person", "o'clock"], adapter.ClassNames);
        Assert.Equal(ModelTask.Segment, adapter.Task);
    }

    [Fact]
    public void Decode_Box_MapsBackThroughLetterbox()
    {
        Assert.Equal(new LetterboxTransform(0.5f, 0, 16, Size, Size, 128, 64), s_transform);
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (2, Column(8, 20, 40, 44, 0.1f, 0.8f, 1, 0)));
        Instances result = Create().Decode([head, Proto((_, _) => 1f)], s_transform);

        Assert.Equal(1, result.Count);
        Assert.Equal(new BoxF(16, 8, 80, 56), result.Boxes[0]);
        Assert.Equal(0.8f, result.Scores[0]);
        Assert.Equal(1, result.ClassIds[0]);
        Assert.Equal("o'clock", result.ClassName(result.ClassIds[0]));
    }

    [Fact]
    public void Decode_PositivePrototype_FillsExactlyTheBox()
    {
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (0, Column(8, 20, 40, 44, 0.9f, 0, 1, 0)));
        InstanceMask mask = Create().Decode([head, Proto((_, _) => 1f)], s_transform).Masks![0]!;

        Assert.Equal((16, 8, 64, 48), (mask.X, mask.Y, mask.Width, mask.Height));
        Assert.Equal(64 * 48, mask.Area());
    }

    [Fact]
    public void Decode_HalfPlanePrototype_SplitsWhereBilinearLogitCrossesZero()
    {
        // Logit +1 for prototype columns ≤ 5, −1 from 6: zero crossing at prototype x = 5.5 → input x 24 → frame x 48.
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (0, Column(8, 20, 40, 44, 0.9f, 0, 1, 0)));
        InstanceMask mask = Create().Decode([head, Proto((_, c) => c <= 5 ? 1f : -1f)], s_transform).Masks![0]!;

        for (int fy = 8; fy < 56; fy++)
        {
            for (int fx = 16; fx < 80; fx++)
            {
                Assert.Equal(fx <= 47, mask.Contains(fx, fy));
            }
        }
    }

    [Fact]
    public void Decode_PrototypeOutsideBox_IsCroppedAway()
    {
        // Only prototype pixels far right of the box are positive: the crop removes them, so the mask is empty.
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (0, Column(8, 20, 40, 44, 0.9f, 0, 1, 0)));
        InstanceMask mask = Create().Decode([head, Proto((_, c) => c >= 12 ? 5f : -1f)], s_transform).Masks![0]!;
        Assert.Equal(0, mask.Area());
    }

    [Fact]
    public void Decode_MaskCoefficients_CombinePrototypes()
    {
        // Coefficients (0, −1) on channel 1 (all −1) give +1 everywhere: a full box.
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors, (0, Column(8, 20, 40, 44, 0.9f, 0, 0, -1)));
        InstanceMask mask = Create().Decode([head, Proto((_, _) => -3f)], s_transform).Masks![0]!;
        Assert.Equal(mask.Width * mask.Height, mask.Area());
    }

    [Fact]
    public void Decode_ConfidenceAndNms_FollowUltralytics()
    {
        RawTensor head = TestSignatures.Head(
            "output0",
            Channels,
            Anchors,
            (0, Column(8, 20, 40, 44, 0.6f, 0, 1, 0)),
            (1, Column(9, 21, 41, 45, 0.9f, 0, 1, 0)),   // same class, IoU > 0.7 with anchor 0: suppresses it
            (2, Column(8, 20, 40, 44, 0, 0.25f, 1, 0)),   // exactly 0.25: not strictly above the threshold
            (3, Column(8, 20, 40, 44, 0, 0.3f, 1, 0)));   // other class, same box: kept
        Instances result = Create().Decode([head, Proto((_, _) => 1f)], s_transform);

        Assert.Equal([0.9f, 0.3f], result.Scores);
        Assert.Equal([0, 1], result.ClassIds);

        Instances agnostic = Create(new AdapterOptions { ClassAgnosticNms = true }).Decode([head, Proto((_, _) => 1f)], s_transform);
        Assert.Equal([0.9f], agnostic.Scores);
    }

    [Fact]
    public void Decode_NoDetections_ReturnsEmpty()
    {
        RawTensor head = TestSignatures.Head("output0", Channels, Anchors);
        Instances result = Create().Decode([head, Proto((_, _) => 1f)], s_transform);
        Assert.Equal(0, result.Count);
    }

    [Fact]
    public void TryMatch_NamesDisagreeWithChannels_Refuses()
    {
        ModelSignature signature = TestSignatures.YoloSeg(Size, Channels, Anchors, Nm, Mp, Mp, new() { ["names"] = "{0: 'a', 1: 'b', 2: 'c'}" });
        Assert.False(YoloSegAdapter.TryMatch(signature, out string? reason));
        Assert.Contains("3 classes", reason, StringComparison.Ordinal);
    }
}
