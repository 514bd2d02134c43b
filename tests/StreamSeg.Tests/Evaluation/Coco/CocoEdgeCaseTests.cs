using System.Globalization;
using System.Text;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Tests.Evaluation.Coco;

/// <summary>
/// Small cases computed by hand, each built so that a plausible deviation from pycocotools changes the answer: an image
/// without ground truth, a category without detections, a crowd region absorbing several detections, areas exactly on
/// the range boundaries, keypoints with v = 0 and a person with no visible keypoint.
/// </summary>
public sealed class CocoEdgeCaseTests
{
    [Fact]
    public void DetectionOnAnImageWithoutGroundTruth_IsAFalsePositive()
    {
        // Image 2 has no ground truth; its detection outscores the true positive on image 1: precision 1/2 at every
        // recall point (AP 0.5), recall 1. Both are small (area 100), so medium and large have nothing to measure (-1).
        CocoEvalResult r = Evaluate(
            CocoIouType.Bbox,
            Gt(images: [1, 2], categories: [1], "{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10],\"area\":100,\"iscrowd\":0}"),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10],\"score\":0.9}",
            "{\"image_id\":2,\"category_id\":1,\"bbox\":[0,0,10,10],\"score\":0.95}");
        Assert.Equal(0.5, r["AP"], 15);
        Assert.Equal(0.5, r["AP50"], 15);
        Assert.Equal(0.5, r["APs"], 15);
        Assert.Equal(-1, r["APm"]);
        Assert.Equal(-1, r["APl"]);
        Assert.Equal(1, r["AR1"], 15);
        Assert.Equal(1, r["AR100"], 15);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500\n", r.FormatTable(), StringComparison.Ordinal);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000\n", r.FormatTable(), StringComparison.Ordinal);

        // With the true positive first, the false positive only lowers precision past full recall: AP 1.
        CocoEvalResult reversed = Evaluate(
            CocoIouType.Bbox,
            Gt(images: [1, 2], categories: [1], "{\"id\":5,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10],\"area\":100,\"iscrowd\":0}"),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,10,10],\"score\":0.9}",
            "{\"image_id\":2,\"category_id\":1,\"bbox\":[0,0,10,10],\"score\":0.8}");
        Assert.Equal(1, reversed["AP"], 15);
    }

    [Fact]
    public void CategoryWithoutDetections_CountsZero_AndCategoryWithoutGroundTruth_DropsOut()
    {
        // Category 1: found exactly (AP 1). Category 2: one object, no detection (AP 0, recall 0). Category 3: nothing at all (-1, left out).
        CocoEvalResult r = Evaluate(
            CocoIouType.Bbox,
            Gt(images: [1], categories: [1, 2, 3],
                "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,40,40],\"area\":1600,\"iscrowd\":0}",
                "{\"id\":2,\"image_id\":1,\"category_id\":2,\"bbox\":[50,50,40,40],\"area\":1600,\"iscrowd\":0}"),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,40,40],\"score\":0.5}");
        Assert.Equal(0.5, r["AP"], 15);
        Assert.Equal(0.5, r["AR100"], 15);
        // A perfect category is 1 / (1 + numpy.spacing(1)) = 0.9999999999999998 in pycocotools too (ε in the denominator).
        Assert.Equal([1, 2, 3], r.PerCategoryAp().Select(c => c.CategoryId));
        Assert.Equal(["c1", "c2", "c3"], r.PerCategoryAp().Select(c => c.Name));
        Assert.Equal(1, r.PerCategoryAp()[0].Ap, 12);
        Assert.Equal(0, r.PerCategoryAp()[1].Ap);
        Assert.Equal(-1, r.PerCategoryAp()[2].Ap);
    }

    [Fact]
    public void CrowdRegion_AbsorbsSeveralDetections()
    {
        // Three detections inside the crowd box (crowd IoU = intersection / detection area = 1) are all ignored, not
        // false positives; then a real false positive (0.65) and the true positive (0.6): precision 1/2 everywhere, AP 0.5.
        // If the crowd could be matched once only, two of the three would be false positives: AP 1/5.
        CocoEvalResult r = Evaluate(
            CocoIouType.Bbox,
            Gt(images: [1], categories: [1],
                "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,100,100],\"area\":10000,\"iscrowd\":1}",
                "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[200,200,10,10],\"area\":100,\"iscrowd\":0}"),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[10,10,10,10],\"score\":0.9}",
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[30,30,10,10],\"score\":0.8}",
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[50,50,20,20],\"score\":0.7}",
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[150,150,10,10],\"score\":0.65}",
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[200,200,10,10],\"score\":0.6}");
        Assert.Equal(0.5, r["AP"], 15);
        Assert.Equal(1, r["AR100"], 15);
    }

    [Fact]
    public void CrowdMask_UsesTheDetectionsAreaAsUnion()
    {
        // A crowd mask (uncompressed RLE, 10×10 canvas) covering columns 0..4; a detection box of columns 3..6 (rows 0..9):
        // intersection 20, detection area 40 → crowd IoU 0.5, matched (ignored) at IoU 0.5 only; at 0.55 and above it
        // is a false positive. The second object (not crowd) is found exactly; its detection scores lower.
        string crowd = "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,5,10],\"area\":50,\"iscrowd\":1,\"segmentation\":{\"size\":[10,10],\"counts\":[0,50,50]}}";
        string plain = "{\"id\":2,\"image_id\":1,\"category_id\":1,\"bbox\":[7,0,3,10],\"area\":30,\"iscrowd\":0,\"segmentation\":[[7,0,7,10,10,10,10,0]]}";
        CocoEvalResult r = Evaluate(
            CocoIouType.Segm,
            Gt(images: [1], categories: [1], crowd, plain, width: 10, height: 10),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[3,0,4,10],\"score\":0.9}",
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[7,0,3,10],\"score\":0.8}");

        // IoU 0.5: the crowd match is ignored, AP 1. Nine thresholds above: a false positive first, precision 1/2: AP 0.5.
        Assert.Equal((1 + (9 * 0.5)) / 10, r["AP"], 15);
        Assert.Equal(1, r["AP50"], 15);
        Assert.Equal(0.5, r["AP75"], 15);
    }

    [Fact]
    public void AreaExactlyOnARangeBoundary_BelongsToBothRanges()
    {
        // Ground truth of area exactly 32² (small and medium); a false positive of area exactly 96² (medium and large)
        // on another image, scored higher. Small: the false positive is outside (ignored) → AP 1. Medium: both count →
        // AP 0.5. Large: the object is outside → nothing to measure, -1. Half-open ranges would give -1, 1 and -1 … instead.
        CocoEvalResult r = Evaluate(
            CocoIouType.Bbox,
            Gt(images: [1, 2], categories: [1], "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,32,32],\"area\":1024,\"iscrowd\":0}"),
            "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,32,32],\"score\":0.9}",
            "{\"image_id\":2,\"category_id\":1,\"bbox\":[0,0,96,96],\"score\":0.95}");
        Assert.Equal(1, r["APs"], 15);
        Assert.Equal(0.5, r["APm"], 15);
        Assert.Equal(-1, r["APl"]);
        Assert.Equal(0.5, r["AP"], 15);
        Assert.Equal(1, r["ARs"], 15);
        Assert.Equal(1, r["ARm"], 15);
        Assert.Equal(-1, r["ARl"]);
    }

    [Fact]
    public void Keypoints_WithVisibilityZero_AreLeftOutOfOks_AndAPersonWithoutVisibleKeypointsIsIgnored()
    {
        // Person 1 (area 10000) has only its nose visible (v = 2), at (50, 50); the detection puts the nose 4 px to the
        // right and every other keypoint far away. Only the nose counts: OKS = exp(-16 / (2·0.026)² / 10000 / 2) = 0.74389…,
        // a match at thresholds 0.50 … 0.70 (5 of 10): AP 0.5, AP50 1, AP75 0.
        // Person 2 has no visible keypoint (num_keypoints 0): ignored, so the detection that lands in its box (OKS 1
        // against the box) is ignored too rather than a false positive.
        double[] nose = Keypoints((50, 50, 2));
        double[] nothing = Keypoints();
        string gt = Gt(
            images: [1],
            categories: [1],
            Annotation(1, [0, 0, 100, 100], 10000, nose, 1),
            Annotation(2, [300, 300, 50, 50], 2500, nothing, 0));
        double[] near = Keypoints((54, 50, 1), fill: 1000);
        double[] inBox = Keypoints(fill: 320);
        CocoEvalResult r = Evaluate(CocoIouType.Keypoints, gt, Detection(near, 0.9), Detection(inBox, 0.95));
        Assert.Equal(0.5, r["AP"], 15);
        Assert.Equal(1, r["AP50"], 15);
        Assert.Equal(0, r["AP75"], 15);
        Assert.Equal(0.5, r["AR"], 15);
        Assert.Equal(0.5, r["APl"], 15);
        Assert.Equal(-1, r["APm"]);

        var gtPerson = new CocoAnnotation { Id = 1, Bbox = [0, 0, 100, 100], Area = 10000, Keypoints = nose };
        var dtPerson = new CocoAnnotation { Id = 1, Keypoints = near };
        Assert.Equal(0.7438930621376465, KeypointSimilarity.Compute(dtPerson, gtPerson, CocoEvalParameters.CocoKeypointSigmas, new double[17]), 15);
    }

    private static CocoEvalResult Evaluate(CocoIouType iouType, string gtJson, params string[] detections)
    {
        CocoDataset gt = CocoDataset.Load(new MemoryStream(Encoding.UTF8.GetBytes(gtJson)));
        CocoDataset dt = gt.LoadResults(new MemoryStream(Encoding.UTF8.GetBytes("[" + string.Join(',', detections) + "]")));
        return new CocoEvaluator(CocoEvalParameters.For(iouType)).Evaluate(gt, dt);
    }

    private static string Gt(long[] images, int[] categories, params string[] annotations) => Gt(images, categories, annotations, 640, 480);

    private static string Gt(long[] images, int[] categories, string a0, string a1, int width, int height) => Gt(images, categories, [a0, a1], width, height);

    private static string Gt(long[] images, int[] categories, string[] annotations, int width, int height) =>
        "{\"images\":[" + string.Join(',', images.Select(i => $"{{\"id\":{i},\"file_name\":\"{i}.jpg\",\"width\":{width},\"height\":{height}}}")) + "]," +
        "\"categories\":[" + string.Join(',', categories.Select(c => $"{{\"id\":{c},\"name\":\"c{c}\"}}")) + "]," +
        "\"annotations\":[" + string.Join(',', annotations) + "]}";

    private static string Annotation(long id, double[] bbox, double area, double[] keypoints, int visible) =>
        $"{{\"id\":{id},\"image_id\":1,\"category_id\":1,\"bbox\":{Json(bbox)},\"area\":{area.ToString(CultureInfo.InvariantCulture)},\"iscrowd\":0,\"keypoints\":{Json(keypoints)},\"num_keypoints\":{visible}}}";

    private static string Detection(double[] keypoints, double score) =>
        $"{{\"image_id\":1,\"category_id\":1,\"keypoints\":{Json(keypoints)},\"score\":{score.ToString(CultureInfo.InvariantCulture)}}}";

    private static double[] Keypoints((double X, double Y, double V) first = default, double fill = 0)
    {
        var k = new double[17 * 3];
        for (int i = 0; i < 17; i++)
        {
            k[3 * i] = fill;
            k[(3 * i) + 1] = fill;
        }

        if (first != default)
        {
            k[0] = first.X;
            k[1] = first.Y;
            k[2] = first.V;
        }

        return k;
    }

    private static string Json(double[] values) => "[" + string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
}
