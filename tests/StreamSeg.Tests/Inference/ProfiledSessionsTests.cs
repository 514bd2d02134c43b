using Microsoft.ML.OnnxRuntime;
using StreamSeg.Inference;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// Which session a frame runs on once a TensorRT profile applies: the main one inside the profile, one of its own
/// (made once, logged once) for a frame size outside it. The sessions are CPU sessions of a fixture model; what is
/// tested is the choice and the profiles asked for.
/// </summary>
public sealed class ProfiledSessionsTests : IDisposable
{
    private readonly List<TensorRtProfile?> _created = [];
    private readonly ListLogger<ProfiledSessionsTests> _log = new();
    private readonly ProfiledSessions _sessions;

    public ProfiledSessionsTests()
    {
        _sessions = new ProfiledSessions(NewSession(), profile =>
        {
            _created.Add(profile);
            return NewSession();
        }, Shapes, "m.onnx", _log);
    }

    public void Dispose() => _sessions.Dispose();

    private static Dictionary<string, long[]> Shapes(FrameSize size, int batch) =>
        new Dictionary<string, long[]> { ["src"] = [batch, size.Height, size.Width, 3] };

    private static ModelSession NewSession()
    {
        var session = new InferenceSession(TestPaths.Model("yolo-seg.onnx"));
        string[] outputs = [.. session.OutputNames];
        return new ModelSession(session, outputs, [.. outputs.Select(_ => true)]);
    }

    [Fact]
    public void NoPlan_EverythingOnTheSessionMadeAtLoad()
    {
        ModelSession main = _sessions.Main;
        Assert.Same(main, _sessions.For(1920, 1080, 1));
        Assert.Empty(_created);
        Assert.Null(_sessions.Profile);
    }

    [Fact]
    public void Apply_BuildsTheMainSessionForTheProfile_OnceForTheSameProfile()
    {
        ModelSession atLoad = _sessions.Main;
        var plan = new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(720, 528)], 4);
        TensorRtProfile? profile = _sessions.Apply(plan);
        Assert.NotNull(profile);
        Assert.Equal("src:1x528x720x3", profile.MinShapes);
        Assert.Equal("src:4x576x768x3", profile.OptShapes);
        Assert.Single(_created);
        Assert.Same(profile, _created[0]);
        Assert.NotSame(atLoad, _sessions.Main);
        Assert.Contains(_log.Messages, m => m == "m.onnx: TensorRT engine built for the profile min src:1x528x720x3, opt src:4x576x768x3, max src:4x576x768x3.");

        ModelSession built = _sessions.Main;
        _ = _sessions.Apply(plan with { FrameSizes = [new FrameSize(768, 576), new FrameSize(720, 528)] });
        Assert.Single(_created);
        Assert.Same(built, _sessions.Main);
    }

    [Fact]
    public void For_InsideTheProfile_Main_OutsideItsOwnEngine_LoggedOnce()
    {
        _ = _sessions.Apply(new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(720, 528)], 4));
        ModelSession main = _sessions.Main;
        Assert.Same(main, _sessions.For(768, 576, 1));
        Assert.Same(main, _sessions.For(720, 528, 4));
        Assert.Same(main, _sessions.For(740, 550, 2)); // between the sources' sizes: inside the range

        ModelSession own = _sessions.For(1280, 720, 1);
        Assert.NotSame(main, own);
        Assert.Same(own, _sessions.For(1280, 720, 1));
        Assert.Same(own, _sessions.For(1280, 720, 3));
        Assert.Equal([new FrameSize(1280, 720)], _sessions.OwnEngines);

        // Its own profile: that size, every batch up to the run's largest.
        Assert.Equal(2, _created.Count);
        Assert.Equal("min=src:1x720x1280x3;opt=src:4x720x1280x3;max=src:4x720x1280x3", _created[1]!.Text);
        string[] warnings = [.. _log.Messages.Where(m => m.Contains("outside the TensorRT profile", StringComparison.Ordinal))];
        Assert.Equal(["m.onnx: frames of 1280x720 fall outside the TensorRT profile (min src:1x528x720x3, max src:4x576x768x3); building an engine of their own for src:4x720x1280x3, cached for the next run."], warnings);
        Assert.Same(main, _sessions.For(768, 576, 4));
    }

    [Fact]
    public void For_BatchPastTheProfile_OwnEngineForThatSize()
    {
        _ = _sessions.Apply(new TensorRtShapePlan(new FrameSize(768, 576), 2));
        ModelSession own = _sessions.For(768, 576, 3);
        Assert.NotSame(_sessions.Main, own);
        Assert.Equal("src:3x576x768x3", _created[^1]!.MaxShapes);
    }
}
