namespace StreamSeg.Evaluation.Coco;

/// <summary>An annotation's <c>segmentation</c>: polygons (flat <c>[x0, y0, x1, y1, …]</c> lists) or one RLE.</summary>
public sealed class CocoSegmentation
{
    private CocoSegmentation(double[][]? polygons, Rle? mask)
    {
        Polygons = polygons;
        Mask = mask;
    }

    /// <summary>Gets the polygons, or null when the segmentation is an RLE.</summary>
    public double[][]? Polygons { get; }

    /// <summary>Gets the RLE (compressed and uncompressed forms both decode to this), or null for polygons.</summary>
    public Rle? Mask { get; }

    /// <summary>Creates a polygon segmentation.</summary>
    public static CocoSegmentation FromPolygons(double[][] polygons) => new(polygons ?? throw new ArgumentNullException(nameof(polygons)), null);

    /// <summary>Creates an RLE segmentation.</summary>
    public static CocoSegmentation FromRle(Rle mask) => new(null, mask ?? throw new ArgumentNullException(nameof(mask)));

    /// <summary>
    /// The mask on an <paramref name="height"/> × <paramref name="width"/> image, as pycocotools' <c>annToRLE</c>: an
    /// RLE as it is (with its own size); polygons rasterized and merged. As in <c>frPyObjects</c>, a list whose first
    /// element has exactly 4 numbers is read as boxes <c>[x, y, w, h]</c>, not polygons.
    /// </summary>
    public Rle ToRle(int height, int width)
    {
        if (Mask is not null)
        {
            return Mask;
        }

        double[][] polygons = Polygons!;
        if (polygons.Length == 0)
        {
            return Rle.Merge([]);
        }

        bool boxes = polygons[0].Length == 4;
        var parts = new Rle[polygons.Length];
        for (int i = 0; i < polygons.Length; i++)
        {
            parts[i] = boxes
                ? PolygonRasterizer.FromBox(polygons[i], height, width)
                : PolygonRasterizer.FromPolygon(polygons[i], height, width);
        }

        return parts.Length == 1 ? parts[0] : Rle.Merge(parts);
    }
}
