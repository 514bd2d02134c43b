using System.Text.Json;
using StreamSeg.Evaluation.Coco;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation.Coco;

/// <summary>The RLE golden cases of faster-coco-eval's mask API tests (<c>shared/eval/coco/rle_cases.json</c>).</summary>
public sealed class RleGoldenTests
{
    [SharedEvalDataFact]
    public void Boxes_RasterizeToTheReferenceStrings_AndBack()
    {
        using JsonDocument cases = Cases();
        JsonElement frBbox = cases.RootElement.GetProperty("frBbox");
        int h = frBbox.GetProperty("h").GetInt32(), w = frBbox.GetProperty("w").GetInt32();
        foreach (JsonElement c in frBbox.GetProperty("cases").EnumerateArray())
        {
            double[] box = Numbers(c.GetProperty("bbox"));
            string expected = c.GetProperty("rle").GetProperty("counts").GetString()!;
            Rle rle = PolygonRasterizer.FromBox(box, h, w);
            Assert.Equal(expected, RleString.Encode(rle));
            Assert.Equal(box, RleString.Decode(expected, h, w).ToBbox());
            Rle roundTrip = Rle.FromColumnMajorMask(RleString.Decode(expected, h, w).ToColumnMajorMask(), h, w);
            Assert.Equal(expected, RleString.Encode(roundTrip));
        }
    }

    [SharedEvalDataFact]
    public void Polygons_RasterizeToTheReferenceStrings()
    {
        using JsonDocument cases = Cases();
        JsonElement frPoly = cases.RootElement.GetProperty("frPoly");
        int h = frPoly.GetProperty("h").GetInt32(), w = frPoly.GetProperty("w").GetInt32();
        foreach (JsonElement c in frPoly.GetProperty("cases").EnumerateArray())
        {
            Rle rle = PolygonRasterizer.FromPolygon(Numbers(c.GetProperty("polygon")), h, w);
            Assert.Equal(c.GetProperty("rle").GetProperty("counts").GetString(), RleString.Encode(rle));
        }

        JsonElement ann = cases.RootElement.GetProperty("annToRLE_polygon");
        double[][] polygons = ann.GetProperty("segmentation").EnumerateArray().Select(Numbers).ToArray();
        Rle fromAnnotation = CocoSegmentation.FromPolygons(polygons).ToRle(ann.GetProperty("image").GetProperty("height").GetInt32(), ann.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal(ann.GetProperty("expected").GetProperty("counts").GetString(), RleString.Encode(fromAnnotation));
    }

    [SharedEvalDataFact]
    public void Merge_UnionIntersectionAndSingle()
    {
        using JsonDocument cases = Cases();
        Rle[] boxes = BoxRles(cases);
        JsonElement merge = cases.RootElement.GetProperty("merge");
        Assert.Equal(merge.GetProperty("union").GetProperty("counts").GetString(), RleString.Encode(Rle.Merge(boxes)));
        Assert.Equal(merge.GetProperty("intersection").GetProperty("counts").GetString(), RleString.Encode(Rle.Merge(boxes, intersect: true)));
        Assert.Equal(RleString.Encode(boxes[0]), RleString.Encode(Rle.Merge([boxes[0]])));
    }

    [SharedEvalDataFact]
    public void UncompressedRle_ConvertsWithoutValidation()
    {
        using JsonDocument cases = Cases();
        JsonElement c = cases.RootElement.GetProperty("frUncompressedRLE");
        using JsonDocument segmentation = JsonDocument.Parse("{\"images\":[{\"id\":1,\"width\":1080,\"height\":1350}],\"categories\":[{\"id\":1,\"name\":\"a\"}],\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"area\":1,\"iscrowd\":1,\"segmentation\":" + c.GetProperty("input").GetRawText() + "}]}");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(segmentation.RootElement.GetRawText()));
        CocoDataset gt = CocoDataset.Load(stream);
        Rle rle = gt.Annotations[0].Segmentation!.ToRle(1350, 1080);
        Assert.Equal(c.GetProperty("expected").GetProperty("counts").GetString(), RleString.Encode(rle));
    }

    [SharedEvalDataFact]
    public void Iou_CrowdColumnsUseTheDetectionsArea()
    {
        using JsonDocument cases = Cases();
        Rle[] boxes = BoxRles(cases);
        Rle[] polygons = cases.RootElement.GetProperty("frPoly").GetProperty("cases").EnumerateArray()
            .Select(c => RleString.Decode(c.GetProperty("rle").GetProperty("counts").GetString()!, 20, 20)).ToArray();
        foreach (JsonElement c in cases.RootElement.GetProperty("iou").GetProperty("cases").EnumerateArray())
        {
            Rle[] set = c.GetProperty("dt").GetString()!.StartsWith("frBbox", StringComparison.Ordinal) ? boxes[..2] : polygons[..3];
            bool[] crowd = c.GetProperty("iscrowd").EnumerateArray().Select(e => e.GetInt32() != 0).ToArray();
            var result = new double[set.Length * set.Length];
            MaskIou.Masks(set, set, crowd, result);
            double[][] expected = c.GetProperty("expected").EnumerateArray().Select(Numbers).ToArray();
            for (int d = 0; d < set.Length; d++)
            {
                for (int g = 0; g < set.Length; g++)
                {
                    Assert.Equal(Math.Round(expected[d][g], 4), Math.Round(result[(d * set.Length) + g], 4));
                    if (c.TryGetProperty("derived_exact", out JsonElement exact))
                    {
                        Assert.Equal(Fraction(exact[d][g].GetString()!), result[(d * set.Length) + g]);
                    }
                }
            }
        }
    }

    [SharedEvalDataFact]
    public void ToBbox_OfMasks_AndOfAZeroLeadingRle()
    {
        using JsonDocument cases = Cases();
        JsonElement masks = cases.RootElement.GetProperty("toBbox_masks");
        Assert.Equal(Numbers(masks[0].GetProperty("bbox")), Rle.FromRowMajorMask([0, 1, 1, 1], 2, 2).ToBbox());
        var mask = new byte[100];
        for (int y = 2; y < 4; y++)
        {
            for (int x = 3; x < 6; x++)
            {
                mask[(y * 10) + x] = 1;
            }
        }

        Assert.Equal(Numbers(masks[1].GetProperty("bbox")), Rle.FromRowMajorMask(mask, 10, 10).ToBbox());

        JsonElement zero = cases.RootElement.GetProperty("zero_leading_rle");
        JsonElement rleJson = zero.GetProperty("rle");
        JsonElement size = rleJson.GetProperty("size");
        Rle rle = RleString.Decode(rleJson.GetProperty("counts").GetString()!, size[0].GetInt32(), size[1].GetInt32());
        JsonElement derived = zero.GetProperty("derived");
        Assert.Equal(derived.GetProperty("first_counts").EnumerateArray().Select(e => e.GetUInt32()), rle.Counts.Take(5));
        Assert.Equal(Numbers(derived.GetProperty("bbox")), rle.ToBbox());
        Assert.Equal(derived.GetProperty("area").GetUInt32(), rle.Area);
        Rle reencoded = Rle.FromColumnMajorMask(rle.ToColumnMajorMask(), rle.Height, rle.Width);
        Assert.Equal(rle.ToBbox(), reencoded.ToBbox());
        Assert.Equal(rle.Area, reencoded.Area);
    }

    [SharedEvalDataFact]
    public void InvalidRle_IsRejectedOnDecode()
    {
        using JsonDocument cases = Cases();
        JsonElement rleJson = cases.RootElement.GetProperty("invalid_rle").GetProperty("rle");
        JsonElement size = rleJson.GetProperty("size");
        Rle rle = RleString.Decode(rleJson.GetProperty("counts").GetString()!, size[0].GetInt32(), size[1].GetInt32());
        Assert.Throws<FormatException>(() => rle.ToColumnMajorMask());
    }

    private static Rle[] BoxRles(JsonDocument cases) =>
        cases.RootElement.GetProperty("frBbox").GetProperty("cases").EnumerateArray()
            .Select(c => RleString.Decode(c.GetProperty("rle").GetProperty("counts").GetString()!, 20, 20)).ToArray();

    private static double Fraction(string text)
    {
        string[] parts = text.Split('/');
        return parts.Length == 1 ? double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)
            : double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) / double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static JsonDocument Cases() => JsonDocument.Parse(File.ReadAllText(SharedEvalDataFactAttribute.Coco("rle_cases.json")));
}
