using StreamSeg.Cli;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// The people preset runs MoveNet twice over one file (input long sides 512 and 256): each session must get its own
/// TensorRT engine folder, or the two would build into, and overwrite, the same engine. Computed on the CPU exactly as
/// <see cref="OnnxSessionFactory"/> keys a TensorRT session (the composed model's bytes, the profile of the run's shapes).
/// </summary>
public class PoseScaleEngineKeyTests
{
    private const string TensorRtVersion = "10.15.1";

    [PresetModelsFact]
    public void DefaultPreset_OneVtestSource_MoveNet512And256_DistinctEngineKeys() =>
        AssertDistinctKeys(new TensorRtShapePlan(new FrameSize(768, 576), 1));

    [PresetModelsFact]
    public void DefaultPreset_TwoSourceSizesBatched_MoveNet512And256_DistinctEngineKeys() =>
        AssertDistinctKeys(new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(1280, 720)], 2));

    private static void AssertDistinctKeys(TensorRtShapePlan plan)
    {
        string path = Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "movenet-multipose.onnx");
        var factory = new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
        var composer = new GraphPixelInputComposer();

        var keys = new List<string>();
        var profiles = new List<string>();
        foreach (int longSide in new[] { 512, 256 })
        {
            using var model = new OnnxModel(path, factory, null, new AdapterOptions { LongSide = longSide }, composer);
            byte[] composed = composer.Compose(File.ReadAllBytes(path), model.Adapter.Input);
            TensorRtProfile? profile = TensorRtProfile.Build(model.SupportsBatch ? plan : plan with { MaxBatch = 1 }, model.ShapesAt);
            Assert.NotNull(profile);
            profiles.Add(profile.Text);
            TensorRtEngineIdentity identity = factory.Identity(path, composed, TensorRtVersion, profile);
            keys.Add(TensorRtEngineCache.Key(identity));
        }

        Assert.NotEqual(profiles[0], profiles[1]);
        Assert.NotEqual(keys[0], keys[1]);

        // The 512 session's input is twice the 256 one's on each side: the profile says so, not only the digest.
        Assert.Contains("x384x512x3", profiles[0], StringComparison.Ordinal);
        Assert.Contains("x192x256x3", profiles[1], StringComparison.Ordinal);
    }
}
