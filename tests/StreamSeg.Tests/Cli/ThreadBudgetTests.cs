using StreamSeg.Cli.Run;
using StreamSeg.Configuration;

namespace StreamSeg.Tests.Cli;

/// <summary>Issue 16: models that run side by side share the intra-op threads; one after another each keeps them all.</summary>
public class ThreadBudgetTests
{
    public static TheoryData<string?, string?, string, int, int, int, int> Cases => new()
    {
        // model, pose model, detector, model_concurrency, threads → lanes, threads per session
        // The preset's default pose sizes (512,256) are two MoveNet sessions, plus RVM: by default one lane per
        // session, but no more lanes than the thread budget (the cores when --threads is not given).
        { null, null, "none", 0, 0, Math.Min(3, Environment.ProcessorCount), Math.Max(1, Environment.ProcessorCount / Math.Min(3, Environment.ProcessorCount)) },
        { null, null, "none", 0, 2, 2, 1 },
        { null, null, "none", 1, 0, 1, 0 },
        { null, null, "none", 1, 6, 1, 6 },
        { null, null, "none", 0, 6, 3, 2 },
        { null, null, "centernet", 0, 8, 4, 2 },
        { null, null, "centernet", 2, 6, 2, 3 },
        { null, null, "none", 0, 1, 1, 1 },
        { null, null, "none", 3, 2, 3, 1 },
        { "m.onnx", null, "none", 0, 4, 1, 4 },
        { "m.onnx", "p.onnx", "none", 0, 4, 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SideBySide_SharesTheThreads_InSequence_EachHasThemAll(string? model, string? pose, string detector, int concurrency, int threads, int lanes, int perSession)
    {
        var config = new RunConfig { Model = model, PoseModel = pose, Detector = detector, ModelConcurrency = concurrency, Threads = threads };
        Assert.Equal(lanes, ModelLoader.ModelLanesFor(config));
        Assert.Equal(perSession, ModelLoader.IntraOpThreadsPerModel(config));
    }

    [Fact]
    public void OnePoseSize_IsOneMoveNetSession()
    {
        var config = new RunConfig { PoseSize = "512", Threads = 6 };
        Assert.Equal(2, ModelLoader.ModelLanesFor(config));
        Assert.Equal(3, ModelLoader.IntraOpThreadsPerModel(config));
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(0, 64, -1)]
    [InlineData(2, 1, 2)]
    [InlineData(3, 8, 3)]
    public void PreprocessWorkers_DefaultFollowsSourcesAndCores_SettingWins(int setting, int sources, int expected)
    {
        // -1: the default for many sources, half the cores (at least one, at most 8).
        int workers = StageComposer.PreprocessWorkers(new RunConfig { PreprocessWorkers = setting }, sources);
        Assert.Equal(expected >= 0 ? expected : Math.Clamp(Environment.ProcessorCount / 2, 1, 8), workers);
    }
}
