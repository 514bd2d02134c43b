using System.Text.Json;

namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// A COCO instances file (images, categories, annotations), or a results file bound to its ground truth. Loading
/// follows pycocotools: ground-truth areas are read, never recomputed; results get their ids, areas and boxes as
/// <c>COCO.loadRes</c> gives them.
/// </summary>
public sealed class CocoDataset
{
    /// <summary>Creates a dataset from its parts.</summary>
    public CocoDataset(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoCategory> categories, IReadOnlyList<CocoAnnotation> annotations)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(annotations);
        Images = images;
        Categories = categories;
        Annotations = annotations;
        var byId = new Dictionary<long, CocoImage>(images.Count);
        foreach (CocoImage image in images)
        {
            byId[image.Id] = image;
        }

        ImagesById = byId;
    }

    /// <summary>Gets the images, in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>Gets the images by id.</summary>
    public IReadOnlyDictionary<long, CocoImage> ImagesById { get; }

    /// <summary>Gets the categories, in file order.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>Gets the annotations (or detections), in file order.</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Reads a COCO ground-truth file.</summary>
    public static CocoDataset Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>Reads a COCO ground-truth document (<c>images</c>, <c>categories</c>, <c>annotations</c>).</summary>
    public static CocoDataset Load(Stream json)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("A COCO ground-truth file is a JSON object with 'images', 'annotations' and 'categories'.");
        }

        var images = new List<CocoImage>();
        if (root.TryGetProperty("images", out JsonElement imagesElement))
        {
            foreach (JsonElement e in imagesElement.EnumerateArray())
            {
                images.Add(new CocoImage(
                    e.GetProperty("id").GetInt64(),
                    e.TryGetProperty("file_name", out JsonElement name) ? name.GetString() ?? string.Empty : string.Empty,
                    e.TryGetProperty("width", out JsonElement w) ? w.GetInt32() : 0,
                    e.TryGetProperty("height", out JsonElement h) ? h.GetInt32() : 0));
            }
        }

        var categories = new List<CocoCategory>();
        if (root.TryGetProperty("categories", out JsonElement categoriesElement))
        {
            foreach (JsonElement e in categoriesElement.EnumerateArray())
            {
                categories.Add(new CocoCategory(
                    e.GetProperty("id").GetInt32(),
                    e.TryGetProperty("name", out JsonElement name) ? name.GetString() ?? string.Empty : string.Empty,
                    e.TryGetProperty("supercategory", out JsonElement super) ? super.GetString() ?? string.Empty : string.Empty));
            }
        }

        var annotations = new List<CocoAnnotation>();
        if (root.TryGetProperty("annotations", out JsonElement annotationsElement))
        {
            foreach (JsonElement e in annotationsElement.EnumerateArray())
            {
                CocoAnnotation a = ReadAnnotation(e);
                a.Id = e.GetProperty("id").GetInt64();
                a.Area = e.TryGetProperty("area", out JsonElement area) ? area.GetDouble() : 0;
                a.IsCrowd = e.TryGetProperty("iscrowd", out JsonElement crowd) && crowd.ValueKind switch
                {
                    JsonValueKind.Number => crowd.GetDouble() != 0,
                    JsonValueKind.True => true,
                    _ => false,
                };
                if (e.TryGetProperty("num_keypoints", out JsonElement numKeypoints))
                {
                    a.NumKeypoints = numKeypoints.GetInt32();
                }

                annotations.Add(a);
            }
        }

        return new CocoDataset(images, categories, annotations);
    }

    /// <summary>Reads a COCO results file (a JSON array of detections) against this ground truth, as <c>COCO.loadRes</c>.</summary>
    public CocoDataset LoadResults(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return LoadResults(stream);
    }

    /// <summary>
    /// Reads COCO results against this ground truth. What gets filled in depends on the first record, as in
    /// <c>loadRes</c>: with a non-empty <c>bbox</c>, every area is box width × height (and a box polygon stands in
    /// for a missing segmentation); else with a <c>segmentation</c>, the area is the mask's pixel count and a missing
    /// box comes from the mask; else the area and box come from the keypoints' extent.
    /// </summary>
    public CocoDataset LoadResults(Stream json)
    {
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("A COCO results file is a JSON array of detections.");
        }

        var detections = new List<CocoAnnotation>(root.GetArrayLength());
        foreach (JsonElement e in root.EnumerateArray())
        {
            CocoAnnotation a = ReadAnnotation(e);
            a.Score = e.TryGetProperty("score", out JsonElement score) ? score.GetDouble() : throw new InvalidDataException("A detection has no 'score'.");
            if (!ImagesById.ContainsKey(a.ImageId))
            {
                throw new InvalidDataException($"Results do not correspond to the ground truth: image {a.ImageId} is not in it.");
            }

            detections.Add(a);
        }

        FillResults(detections);
        return new CocoDataset(Images, Categories, detections);
    }

    private static void FillResults(List<CocoAnnotation> detections)
    {
        if (detections.Count == 0)
        {
            return;
        }

        // The first record alone decides (fields filled in below would otherwise change the decision).
        CocoAnnotation first = detections[0];
        bool byBox = first.Bbox is { Length: > 0 };
        bool byMask = !byBox && first.Segmentation is not null;
        bool byKeypoints = !byBox && !byMask && first.Keypoints is not null;
        for (int i = 0; i < detections.Count; i++)
        {
            CocoAnnotation a = detections[i];
            a.Id = i + 1;
            a.IsCrowd = false;
            if (byBox)
            {
                double[] bb = a.Bbox ?? throw new InvalidDataException($"Detection {i + 1} has no 'bbox' (the first one has).");
                double x1 = bb[0], x2 = bb[0] + bb[2], y1 = bb[1], y2 = bb[1] + bb[3];
                a.Segmentation ??= CocoSegmentation.FromPolygons([[x1, y1, x1, y2, x2, y2, x2, y1]]);
                a.Area = bb[2] * bb[3];
            }
            else if (byMask)
            {
                Rle mask = a.Segmentation?.Mask ?? throw new InvalidDataException($"Detection {i + 1} has no RLE 'segmentation' (results without boxes need one).");
                a.Area = mask.Area;
                a.Bbox ??= mask.ToBbox();
            }
            else if (byKeypoints)
            {
                double[] s = a.Keypoints ?? throw new InvalidDataException($"Detection {i + 1} has no 'keypoints'.");
                double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
                for (int k = 0; k + 1 < s.Length; k += 3)
                {
                    x0 = Math.Min(x0, s[k]);
                    x1 = Math.Max(x1, s[k]);
                    y0 = Math.Min(y0, s[k + 1]);
                    y1 = Math.Max(y1, s[k + 1]);
                }

                a.Area = (x1 - x0) * (y1 - y0);
                a.Bbox = [x0, y0, x1 - x0, y1 - y0];
            }
            else
            {
                throw new InvalidDataException("The first detection has none of 'bbox', 'segmentation' or 'keypoints'.");
            }
        }
    }

    private static CocoAnnotation ReadAnnotation(JsonElement e)
    {
        var a = new CocoAnnotation
        {
            ImageId = e.GetProperty("image_id").GetInt64(),
            CategoryId = e.GetProperty("category_id").GetInt32(),
        };
        if (e.TryGetProperty("bbox", out JsonElement bbox) && bbox.ValueKind == JsonValueKind.Array)
        {
            a.Bbox = ReadNumbers(bbox);
        }

        if (e.TryGetProperty("segmentation", out JsonElement segmentation))
        {
            a.Segmentation = ReadSegmentation(segmentation);
        }

        if (e.TryGetProperty("keypoints", out JsonElement keypoints) && keypoints.ValueKind == JsonValueKind.Array)
        {
            a.Keypoints = ReadNumbers(keypoints);
        }

        return a;
    }

    private static CocoSegmentation? ReadSegmentation(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                var polygons = new double[e.GetArrayLength()][];
                int i = 0;
                foreach (JsonElement polygon in e.EnumerateArray())
                {
                    polygons[i++] = ReadNumbers(polygon);
                }

                return CocoSegmentation.FromPolygons(polygons);
            case JsonValueKind.Object:
                JsonElement size = e.GetProperty("size");
                int height = size[0].GetInt32(), width = size[1].GetInt32();
                JsonElement counts = e.GetProperty("counts");
                if (counts.ValueKind == JsonValueKind.String)
                {
                    return CocoSegmentation.FromRle(RleString.Decode(counts.GetString()!, height, width));
                }

                // Uncompressed RLE (crowd ground truth): the counts are kept exactly as given.
                var values = new uint[counts.GetArrayLength()];
                int j = 0;
                foreach (JsonElement c in counts.EnumerateArray())
                {
                    values[j++] = unchecked((uint)c.GetInt64());
                }

                return CocoSegmentation.FromRle(new Rle(height, width, values));
            default:
                return null;
        }
    }

    private static double[] ReadNumbers(JsonElement array)
    {
        var values = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement v in array.EnumerateArray())
        {
            values[i++] = v.GetDouble();
        }

        return values;
    }
}
