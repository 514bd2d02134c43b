using System.Text.Json;
using StreamSeg.Evaluation.Coco;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation.Coco;

/// <summary>
/// The COCO summary stats of pycocotools / faster-coco-eval on 100 val2014 images (boxes and masks) and on the keypoint
/// set, from <c>shared/eval/coco/expected.json</c>: every number bit for bit (the brief asks for 1e-9; following
/// pycocotools operation for operation, numpy's summation order included, gives the exact doubles).
/// </summary>
public sealed class CocoReferenceTests
{
    private const double Tolerance = 1e-9;

    [SharedEvalDataFact]
    public void Parameters_AreNumpysDoubles()
    {
        using JsonDocument expected = Expected();
        JsonElement p = expected.RootElement.GetProperty("params");
        CocoEvalParameters parameters = CocoEvalParameters.For(CocoIouType.Bbox);
        Assert.Equal(p.GetProperty("iouThrs").EnumerateArray().Select(e => e.GetDouble()), parameters.IouThresholds);
        Assert.Equal(p.GetProperty("recThrs").EnumerateArray().Select(e => e.GetDouble()), parameters.RecallThresholds);
        Assert.Equal(p.GetProperty("kpt_oks_sigmas").EnumerateArray().Select(e => e.GetDouble()), CocoEvalParameters.CocoKeypointSigmas);
    }

    [SharedEvalDataFact]
    public void Bbox_MatchesPycocotools() => AssertCase("bbox", CocoIouType.Bbox);

    [SharedEvalDataFact]
    public void Segm_MatchesPycocotools() => AssertCase("segm", CocoIouType.Segm);

    [SharedEvalDataFact]
    public void Keypoints_MatchPycocotools() => AssertCase("keypoints", CocoIouType.Keypoints);

    private static void AssertCase(string name, CocoIouType iouType)
    {
        using JsonDocument expected = Expected();
        JsonElement c = expected.RootElement.GetProperty("cases").GetProperty(name);
        CocoDataset gt = CocoDataset.Load(SharedEvalDataFactAttribute.Coco(c.GetProperty("gt").GetString()!));
        CocoDataset dt = gt.LoadResults(SharedEvalDataFactAttribute.Coco(c.GetProperty("results").GetString()!));
        CocoEvalParameters parameters = CocoEvalParameters.For(iouType);
        CocoEvalResult result = new CocoEvaluator(parameters).Evaluate(gt, dt);

        string[] order = expected.RootElement.GetProperty("stat_order").GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(order, parameters.Stats.Select(s => s.Name));
        double[] stats = c.GetProperty("stats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(stats.Length, result.Stats.Count);
        for (int i = 0; i < stats.Length; i++)
        {
            Assert.True(Math.Abs(stats[i] - result.Stats[i]) <= Tolerance, $"{name} {order[i]}: expected {stats[i]:R}, got {result.Stats[i]:R}");
            Assert.True(stats[i] == result[order[i]], $"{name} {order[i]}: expected exactly {stats[i]:R}, got {result[order[i]]:R}");
        }
    }

    private static JsonDocument Expected() => JsonDocument.Parse(File.ReadAllText(SharedEvalDataFactAttribute.Coco("expected.json")));
}
