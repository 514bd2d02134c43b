using System.Text.Json;
using StreamSeg.Evaluation.Panoptic;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation;

/// <summary>
/// Panoptic Quality against panopticapi's numbers (mmdetection's CocoPanopticMetric test, ../shared/eval/panoptic):
/// from the COCO panoptic PNG + JSON files and from the case's segment-id grids, to 1e-9 in percent and per category.
/// </summary>
public sealed class PanopticReferenceTests
{
    private const string Case = "panoptic/cases.json";

    [ReferenceEvalDataFact("panoptic/coco_format/gt.json")]
    public void CocoFormatFiles_ReproducePqSqRq()
    {
        string dir = ReferenceEvalDataFactAttribute.PathOf("panoptic/coco_format");
        PanopticResult result = PanopticEvaluator.Evaluate(Path.Combine(dir, "gt.json"), Path.Combine(dir, "gt"), Path.Combine(dir, "pred.json"), Path.Combine(dir, "pred"));
        AssertMatchesCase(result);
    }

    [ReferenceEvalDataFact(Case)]
    public void SegmentIdGrids_ReproducePqSqRq()
    {
        JsonElement c = MotReferenceTests.LoadJson(Case).GetProperty("cases")[0];
        var categories = c.GetProperty("categories").EnumerateArray()
            .Select(e => new PanopticCategory(e.GetProperty("id").GetInt32(), e.GetProperty("name").GetString()!, e.GetProperty("isthing").GetInt32() == 1))
            .ToList();
        var accumulator = new PanopticAccumulator(categories);
        accumulator.AddImage(Grid(c.GetProperty("gt")), Grid(c.GetProperty("pred")), Annotation(c.GetProperty("gt")), Annotation(c.GetProperty("pred")));
        AssertMatchesCase(new PanopticResult(categories, accumulator.Stats, 1));
    }

    [ReferenceEvalDataFact("panoptic/coco_format/gt.json")]
    public void Json_WritesPqComputeNamesAndTable()
    {
        string dir = ReferenceEvalDataFactAttribute.PathOf("panoptic/coco_format");
        PanopticResult result = PanopticEvaluator.Evaluate(Path.Combine(dir, "gt.json"), Path.Combine(dir, "gt"), Path.Combine(dir, "pred.json"), Path.Combine(dir, "pred"));
        using var stream = new MemoryStream();
        result.WriteJson(stream);
        using JsonDocument doc = JsonDocument.Parse(stream.ToArray());
        JsonElement expected = MotReferenceTests.LoadJson(Case).GetProperty("cases")[0].GetProperty("expected");
        Assert.Equal(expected.GetProperty("PQ").GetDouble(), 100 * doc.RootElement.GetProperty("All").GetProperty("pq").GetDouble(), 1e-9);
        Assert.Equal(2, doc.RootElement.GetProperty("Things").GetProperty("n").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("per_class").GetProperty("0").GetProperty("fp").GetInt32());

        var table = new StringWriter();
        result.WriteTable(table);
        Assert.Contains("All       |  67.9   80.9   83.3      3", table.ToString(), StringComparison.Ordinal);
    }

    private static void AssertMatchesCase(PanopticResult result)
    {
        JsonElement c = MotReferenceTests.LoadJson(Case).GetProperty("cases")[0];
        JsonElement e = c.GetProperty("expected");
        Assert.Equal(e.GetProperty("PQ").GetDouble(), 100 * result.All.PQ, 1e-9);
        Assert.Equal(e.GetProperty("SQ").GetDouble(), 100 * result.All.SQ, 1e-9);
        Assert.Equal(e.GetProperty("RQ").GetDouble(), 100 * result.All.RQ, 1e-9);
        Assert.Equal(e.GetProperty("PQ_th").GetDouble(), 100 * result.Things.PQ, 1e-9);
        Assert.Equal(e.GetProperty("SQ_th").GetDouble(), 100 * result.Things.SQ, 1e-9);
        Assert.Equal(e.GetProperty("RQ_th").GetDouble(), 100 * result.Things.RQ, 1e-9);
        Assert.Equal(e.GetProperty("PQ_st").GetDouble(), 100 * result.Stuff.PQ, 1e-9);
        Assert.Equal(e.GetProperty("SQ_st").GetDouble(), 100 * result.Stuff.SQ, 1e-9);
        Assert.Equal(e.GetProperty("RQ_st").GetDouble(), 100 * result.Stuff.RQ, 1e-9);
        JsonElement counts = c.GetProperty("expected_counts");
        Assert.Equal(counts.GetProperty("All").GetProperty("n").GetInt32(), result.All.N);
        Assert.Equal(counts.GetProperty("Things").GetProperty("n").GetInt32(), result.Things.N);
        Assert.Equal(counts.GetProperty("Stuff").GetProperty("n").GetInt32(), result.Stuff.N);
        foreach (JsonProperty p in c.GetProperty("derived_per_category").EnumerateObject())
        {
            PanopticCategoryStats s = result.PerCategory[int.Parse(p.Name.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(p.Value.GetProperty("tp").GetInt32(), s.TP);
            Assert.Equal(p.Value.GetProperty("fp").GetInt32(), s.FP);
            Assert.Equal(p.Value.GetProperty("fn").GetInt32(), s.FN);
            Assert.Equal(p.Value.GetProperty("iou_sum").GetDouble(), s.IouSum, 1e-15);
            Assert.Equal(p.Value.GetProperty("pq").GetDouble(), s.PQ, 1e-15);
            Assert.Equal(p.Value.GetProperty("sq").GetDouble(), s.SQ, 1e-15);
            Assert.Equal(p.Value.GetProperty("rq").GetDouble(), s.RQ, 1e-15);
        }
    }

    private static int[] Grid(JsonElement side)
    {
        JsonElement map = side.GetProperty("segment_id_map");
        int w = map.GetProperty("width").GetInt32(), h = map.GetProperty("height").GetInt32();
        var ids = new int[w * h];
        int y = 0;
        foreach (JsonElement row in map.GetProperty("rows").EnumerateArray())
        {
            int x = 0;
            foreach (JsonElement v in row.EnumerateArray())
            {
                ids[(y * w) + x++] = v.GetInt32();
            }

            Assert.Equal(w, x);
            y++;
        }

        Assert.Equal(h, y);
        return ids;
    }

    private static PanopticAnnotation Annotation(JsonElement side)
        => new("0", side.GetProperty("file_name").GetString()!, [.. side.GetProperty("segments_info").EnumerateArray().Select(s => new PanopticSegment(
            s.GetProperty("id").GetInt32(),
            s.GetProperty("category_id").GetInt32(),
            s.TryGetProperty("iscrowd", out JsonElement crowd) && crowd.GetInt32() == 1,
            s.TryGetProperty("area", out JsonElement area) ? area.GetDouble() : 0))]);
}
