using System.Text.Json;
using StreamSeg.Cli.Eval;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation;

/// <summary>The CLI actions behind <c>streamseg eval --iou-type panoptic</c> and <c>--mot-gt/--mot-pred</c>: table, time, JSON and exit codes.</summary>
public sealed class TrackingAndPanopticEvalTests
{
    [ReferenceEvalDataFact("mot/TUD-Campus/gt.txt")]
    public void RunMot_PrintsTheTableAndWritesTrackEvalNames()
    {
        using var dir = new TempDirectory();
        string json = dir.File("mot.json");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrackingAndPanopticEval.RunMot(ReferenceEvalDataFactAttribute.PathOf("mot/TUD-Campus/gt.txt"), ReferenceEvalDataFactAttribute.PathOf("mot/TUD-Campus/test.txt"), json, output, error);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error.ToString());
        Assert.Contains("71 frames evaluated in", output.ToString(), StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0.3913974378451139, doc.RootElement.GetProperty("TrackEval").GetProperty("HOTA").GetProperty("HOTA").GetDouble(), 1e-12);
        Assert.Equal(0.5576592082616179, doc.RootElement.GetProperty("TrackEval").GetProperty("Identity").GetProperty("IDF1").GetDouble(), 1e-12);
    }

    [ReferenceEvalDataFact("panoptic/coco_format/gt.json")]
    public void RunPanoptic_PrintsTheTableAndWritesPqComputeNames()
    {
        using var dir = new TempDirectory();
        string json = dir.File("pq.json");
        string data = ReferenceEvalDataFactAttribute.PathOf("panoptic/coco_format");
        var output = new StringWriter();
        int code = TrackingAndPanopticEval.RunPanoptic(Path.Combine(data, "gt.json"), Path.Combine(data, "gt"), Path.Combine(data, "pred.json"), Path.Combine(data, "pred"), json, output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("1 images evaluated in", output.ToString(), StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(67.86874803219071, 100 * doc.RootElement.GetProperty("All").GetProperty("pq").GetDouble(), 1e-9);
    }

    [Fact]
    public void MissingOrMalformedInput_IsASourceError_AndAnUnwritableJsonAnOutputError()
    {
        using var dir = new TempDirectory();
        string gt = dir.File("gt.txt");
        File.WriteAllText(gt, "1,1,0,0,10,10,1,-1,-1,-1\n");
        var error = new StringWriter();
        Assert.Equal(3, TrackingAndPanopticEval.RunMot(gt, dir.File("absent.txt"), null, new StringWriter(), error));
        Assert.StartsWith("streamseg: error: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("absent.txt", error.ToString(), StringComparison.Ordinal);

        string bad = dir.File("bad.txt");
        File.WriteAllText(bad, "1,1,zero,0,10,10\n");
        Assert.Equal(3, TrackingAndPanopticEval.RunMot(gt, bad, null, new StringWriter(), new StringWriter()));

        Assert.Equal(5, TrackingAndPanopticEval.RunMot(gt, gt, dir.File("no/such/dir/out.json"), new StringWriter(), new StringWriter()));
        Assert.Equal(3, TrackingAndPanopticEval.RunPanoptic(dir.File("gt.json"), dir.Path, dir.File("pred.json"), dir.Path, null, new StringWriter(), new StringWriter()));
    }
}
