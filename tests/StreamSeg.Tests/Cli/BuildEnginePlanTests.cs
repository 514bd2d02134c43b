using StreamSeg.Cli;
using StreamSeg.Configuration;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// <c>streamseg models build-engine --pose-size</c>: which engines the command builds (one per pose size for MoveNet,
/// as the people preset runs it; one for a model whose input ignores the size), read on the CPU without TensorRT.
/// </summary>
public class BuildEnginePlanTests
{
    private static readonly string[] BuildEngineOptions = ["--pose-size", "--adapter", "--models-dir", "--batch"];

    // MoveNet-like: the input follows the long side; YOLO-like: a fixed 640×640 input whatever the long side.
    private static InputSpec FollowsLongSide(AdapterOptions o) => new("input", 0, 0) { LongSide = o.LongSide ?? 256 };

    private static InputSpec Fixed(AdapterOptions o) => new("images", 640, 640);

    [Fact]
    public void Targets_DefaultPoseSizes_OneEnginePerSize_512Then256()
    {
        var config = new RunConfig();
        IReadOnlyList<AdapterOptions> targets = BuildEnginePlan.Targets(config, FollowsLongSide);
        Assert.Equal(new[] { 512, 256 }, targets.Select(t => t.LongSide!.Value));
    }

    [Fact]
    public void Targets_PoseSizeList_EverySizeInOrder_DuplicatesOnce()
    {
        var config = new RunConfig { PoseSize = "384,512,384,256" };
        Assert.Equal(new[] { 384, 512, 256 }, BuildEnginePlan.Targets(config, FollowsLongSide).Select(t => t.LongSide!.Value));
        Assert.Equal(new[] { 320 }, BuildEnginePlan.Targets(new RunConfig { PoseSize = "320" }, FollowsLongSide).Select(t => t.LongSide!.Value));
    }

    [Fact]
    public void Targets_InputIgnoresPoseSize_OneEngine()
    {
        IReadOnlyList<AdapterOptions> targets = BuildEnginePlan.Targets(new RunConfig(), Fixed);
        Assert.Single(targets);
    }

    [Fact]
    public void Targets_KeepTheRunsThresholds()
    {
        var config = new RunConfig { Confidence = 0.4f, Iou = 0.5f };
        Assert.All(BuildEnginePlan.Targets(config, FollowsLongSide), t =>
        {
            Assert.Equal(0.4f, t.ConfidenceThreshold);
            Assert.Equal(0.5f, t.IouThreshold);
        });
    }

    [Fact]
    public void Targets_RealModels_YoloSegOneEngine()
    {
        // The adapter that build-engine picks for a fixture whose input is fixed: the two default sizes give one engine.
        string path = TestPaths.Model("yolo-seg.onnx");
        using var plain = OnnxSessionFactory.CreateForInspection(path);
        ModelSignature signature = ModelSignatureReader.Read(plain, path);
        Assert.Single(BuildEnginePlan.Targets(new RunConfig(), o => ModelAdapterFactory.Create(signature, null, o).Input));
    }

    [PresetModelsFact]
    public void Targets_RealMoveNet_TwoEngines_512And256()
    {
        string path = Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "movenet-multipose.onnx");
        using var plain = OnnxSessionFactory.CreateForInspection(path);
        ModelSignature signature = ModelSignatureReader.Read(plain, path);
        IReadOnlyList<AdapterOptions> targets = BuildEnginePlan.Targets(new RunConfig(), o => ModelAdapterFactory.Create(signature, null, o).Input);
        Assert.Equal(new[] { 512, 256 }, targets.Select(t => t.LongSide!.Value));
    }

    [Fact]
    public void BuildEngineHelp_SaysEverySizeIsBuilt_Default512And256()
    {
        CliRunner.Result r = CliRunner.Run("models", "build-engine", "--help");
        Assert.Equal(0, r.ExitCode);
        string help = string.Join(' ', r.StdOut.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("(default 512,256) and one engine is built for each", help, StringComparison.Ordinal);
        Assert.DoesNotContain("default 512)", help, StringComparison.Ordinal);
        foreach (string option in BuildEngineOptions)
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }
}
