using StreamSeg.Inference;

namespace StreamSeg.Tests.Inference;

/// <summary>The TensorRT shape profile: its option strings, how it is made from frame and batch sizes, and what it covers.</summary>
public class TensorRtProfileTests
{
    // RVM-like: NHWC image at the frame's size, one state at a quarter of it; the batch on the first axis.
    private static IReadOnlyDictionary<string, long[]> Rvm(FrameSize size, int batch) => new Dictionary<string, long[]>
    {
        ["src"] = [batch, size.Height, size.Width, 3],
        ["r1i"] = [batch, size.Height / 4, size.Width / 4, 16],
    };

    [Fact]
    public void Build_OneSizeOneBatch_MinOptMaxAllThatShape_InputsInNameOrder()
    {
        TensorRtProfile profile = TensorRtProfile.Build(new TensorRtShapePlan(new FrameSize(768, 576), 1), Rvm)!;
        Assert.Equal("r1i:1x144x192x16,src:1x576x768x3", profile.MinShapes);
        Assert.Equal(profile.MinShapes, profile.OptShapes);
        Assert.Equal(profile.MinShapes, profile.MaxShapes);
        Assert.Equal("min=r1i:1x144x192x16,src:1x576x768x3;opt=r1i:1x144x192x16,src:1x576x768x3;max=r1i:1x144x192x16,src:1x576x768x3", profile.Text);
    }

    [Fact]
    public void Build_SeveralSizesAndBatches_MinAndMaxPerDimension_OptAtFirstSizeLargestBatch()
    {
        var plan = new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(1280, 480), new FrameSize(640, 720)], 8);
        TensorRtProfile profile = TensorRtProfile.Build(plan, Rvm)!;

        // Each dimension on its own: the widest frame is 1280, the tallest 720, though no frame is 1280×720.
        Assert.Equal("r1i:1x120x160x16,src:1x480x640x3", profile.MinShapes);
        Assert.Equal("r1i:8x144x192x16,src:8x576x768x3", profile.OptShapes);
        Assert.Equal("r1i:8x180x320x16,src:8x720x1280x3", profile.MaxShapes);
    }

    [Fact]
    public void Build_NoDynamicInput_Null()
    {
        Assert.Null(TensorRtProfile.Build(new TensorRtShapePlan(new FrameSize(640, 480), 4), (_, _) => new Dictionary<string, long[]>()));
    }

    [Fact]
    public void Build_InputChangesRank_Throws()
    {
        Assert.Throws<ArgumentException>(() => TensorRtProfile.Build(
            new TensorRtShapePlan([new FrameSize(64, 48), new FrameSize(32, 24)], 1),
            (size, b) => new Dictionary<string, long[]> { ["x"] = size.Width == 64 ? [b, 3, 48, 64] : [b, 48, 64] }));
    }

    [Fact]
    public void Covers_InsideTheRange_NotOutsideOrMissing()
    {
        var plan = new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(320, 240)], 4);
        TensorRtProfile profile = TensorRtProfile.Build(plan, Rvm)!;
        Assert.True(profile.Covers(Rvm(new FrameSize(640, 480), 3)));   // between the sizes, batch within
        Assert.True(profile.Covers(Rvm(new FrameSize(320, 240), 1)));
        Assert.False(profile.Covers(Rvm(new FrameSize(1280, 720), 1))); // larger than any source
        Assert.False(profile.Covers(Rvm(new FrameSize(768, 576), 5)));  // batch past the largest
        Assert.False(profile.Covers(Rvm(new FrameSize(160, 120), 1)));  // smaller than any source
        Assert.False(profile.Covers(new Dictionary<string, long[]> { ["src"] = [1, 480, 640, 3] })); // r1i missing
    }

    [Fact]
    public void Constructor_RefusesDuplicatesRanksAndDisorder()
    {
        Assert.Throws<ArgumentException>(() => new TensorRtProfile([]));
        Assert.Throws<ArgumentException>(() => new TensorRtProfile([new("a", [1], [1], [1]), new("a", [1], [1], [1])]));
        Assert.Throws<ArgumentException>(() => new TensorRtProfile([new("a", [1, 2], [1], [1])]));
        Assert.Throws<ArgumentException>(() => new TensorRtProfile([new("a", [2], [1], [3])]));
    }

    [Fact]
    public void TensorRtOptions_WithProfile_AddsTheThreeShapeOptions_WithoutNone()
    {
        TensorRtProfile profile = TensorRtProfile.Build(new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(720, 528)], 2), Rvm)!;
        IReadOnlyDictionary<string, string> with = TensorRtOptions.Build(0, "/c", fp16: true, profile);
        Assert.Equal("r1i:1x132x180x16,src:1x528x720x3", with["trt_profile_min_shapes"]);
        Assert.Equal("r1i:2x144x192x16,src:2x576x768x3", with["trt_profile_opt_shapes"]);
        Assert.Equal("r1i:2x144x192x16,src:2x576x768x3", with["trt_profile_max_shapes"]);
        Assert.Equal(TensorRtOptions.Build(0, "/c", fp16: true).Count + 3, with.Count);
        Assert.DoesNotContain(TensorRtOptions.Build(0, "/c", fp16: true).Keys, k => k.StartsWith("trt_profile_", StringComparison.Ordinal));
    }
}
