using StreamSeg.Configuration;

namespace StreamSeg.Tests.Configuration;

public class RunConfigLoaderTests
{
    [Fact]
    public void Parse_FullConfig_ReadsEveryKey()
    {
        RunConfig c = RunConfigLoader.Parse("""
            sources:
              - uri: rtsp://cam/live
                id: door
                rtsp_transport: udp
              - uri: clip.mp4
            model: models/yolo11n-seg.onnx
            pose_model: models/yolo11n-pose.onnx
            device: cpu
            threads: 2
            out: out/a.mp4
            meta: out/a.ndjson
            confidence: 0.4
            max_frames: 10
            overlay:
              masks: false
              mask_alpha: 0.3
            """, "t.yaml");
        Assert.Equal(2, c.Sources.Count);
        Assert.Equal("udp", c.Sources[0].RtspTransport);
        Assert.Equal("door", c.Sources[0].Id);
        Assert.Equal("models/yolo11n-pose.onnx", c.PoseModel);
        Assert.Equal(0.4f, c.Confidence);
        Assert.False(c.Overlay.Masks);
        Assert.Equal(0.3f, c.Overlay.MaskAlpha);
        Assert.True(c.Overlay.Boxes);
    }

    [Fact]
    public void Parse_PerformanceKeys_AreReadAndChecked()
    {
        RunConfig c = RunConfigLoader.Parse("""
            sources:
              - uri: clip.mp4
            batch: 4
            upload: uint8
            engine_cache: /srv/engines
            """, "t.yaml");
        Assert.Equal((4, "uint8", "/srv/engines"), (c.Batch, c.Upload, c.EngineCache));

        var bad = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("sources:\n  - uri: a.mp4\nupload: half\n", "u.yaml"));
        Assert.Contains("upload 'half' is not one of auto, uint8, float", bad.Message, StringComparison.Ordinal);
        var big = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("sources:\n  - uri: a.mp4\nbatch: 65\n", "b.yaml"));
        Assert.Contains("batch 65 must be between 0 (automatic) and 64", big.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_NamesKeyAndLine()
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("model: a.onnx\nconfidnce: 0.5\n", "bad.yaml"));
        Assert.Contains("bad.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'confidnce'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongType_NamesFileAndLine()
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("threads: many\n", "typed.yaml"));
        Assert.Contains("typed.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device: gpu9\n", "device 'gpu9'")]
    [InlineData("confidence: 2\n", "confidence 2")]
    [InlineData("sources:\n  - id: x\n", "no 'uri'")]
    public void Parse_BadValue_IsRefused(string yaml, string expected)
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(yaml, "v.yaml"));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", new[] { 512, 256 })]
    [InlineData("pose_size: 256\n", new[] { 256 })]
    [InlineData("pose_size: 512, 384, 256\n", new[] { 512, 384, 256 })]
    public void Parse_PoseSize_IsOneSizeOrSeveral(string yaml, int[] sizes)
    {
        Assert.Equal(sizes, RunConfigLoader.Parse(yaml, "p.yaml").PoseSizes);
    }

    [Theory]
    [InlineData("pose_size: 500\n")]
    [InlineData("pose_size: 512,64\n")]
    [InlineData("pose_size: 512,512\n")]
    [InlineData("pose_size: 512,\n")]
    [InlineData("pose_size: big\n")]
    [InlineData("pose_size: 512,448,384,320,256\n")]
    public void Parse_BadPoseSize_IsRefused(string yaml)
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse(yaml, "p.yaml"));
        Assert.Contains("must be a multiple of 32 between 128 and 1024, or up to 4 different such sizes separated by commas", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedConfigs_AllParse()
    {
        string dir = Path.Combine(TestPaths.Repo, "configs");
        string[] files = Directory.GetFiles(dir, "*.yaml");
        Assert.NotEmpty(files);
        foreach (string f in files)
        {
            RunConfig c = RunConfigLoader.Load(f);
            Assert.NotEmpty(c.Sources);
        }
    }
}
