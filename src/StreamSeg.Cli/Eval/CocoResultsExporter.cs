using System.Text.Json;
using StreamSeg.Evaluation.Coco;
using StreamSeg.Models;

namespace StreamSeg.Cli.Eval;

/// <summary>
/// Writes a run's instances as a COCO results file: <c>[{image_id, category_id, bbox: [x, y, w, h], score,
/// segmentation (compressed RLE, when the instance has a mask), keypoints ([x, y, score] × K, when it has
/// keypoints)}]</c>. Categories are matched by name (case-insensitive); instances of other classes are skipped and counted.
/// </summary>
internal sealed class CocoResultsExporter
{
    private readonly Dictionary<string, int> _categories;

    /// <summary>Creates an exporter that numbers categories by <paramref name="categoryIds"/> (name → COCO category id).</summary>
    public CocoResultsExporter(IReadOnlyDictionary<string, int> categoryIds)
    {
        ArgumentNullException.ThrowIfNull(categoryIds);
        _categories = new Dictionary<string, int>(categoryIds, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets COCO's own category ids by name (person = 1 … toothbrush = 90), for a run without ground truth.</summary>
    public static IReadOnlyDictionary<string, int> CocoCategoryIds { get; } = BuildCocoIds();

    /// <summary>Creates an exporter that numbers categories as <paramref name="groundTruth"/> does.</summary>
    public static CocoResultsExporter For(CocoDataset groundTruth)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (CocoCategory c in groundTruth.Categories)
        {
            ids.TryAdd(c.Name, c.Id);
        }

        return new CocoResultsExporter(ids);
    }

    /// <summary>
    /// Writes the instances of <paramref name="frames"/> whose frame <paramref name="imageId"/> maps to an image (null
    /// skips the frame) to <paramref name="output"/>; returns (written, skipped for an unknown class).
    /// </summary>
    public (int Written, int UnknownClass) Write(IEnumerable<FrameRecord> frames, Func<FrameRecord, long?> imageId, Stream output)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(imageId);
        int written = 0, unknown = 0;
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartArray();
        foreach (FrameRecord frame in frames)
        {
            if (imageId(frame) is not long image)
            {
                continue;
            }

            foreach (InstanceRecord instance in frame.Instances)
            {
                if (!_categories.TryGetValue(instance.ClassName, out int category))
                {
                    unknown++;
                    continue;
                }

                if (!double.IsFinite(instance.Score) || !double.IsFinite(instance.X1) || !double.IsFinite(instance.Y1) || !double.IsFinite(instance.X2) || !double.IsFinite(instance.Y2))
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteNumber("image_id", image);
                json.WriteNumber("category_id", category);
                json.WriteStartArray("bbox");
                json.WriteNumberValue(instance.X1);
                json.WriteNumberValue(instance.Y1);
                json.WriteNumberValue(Math.Max(0, instance.X2 - instance.X1));
                json.WriteNumberValue(Math.Max(0, instance.Y2 - instance.Y1));
                json.WriteEndArray();
                json.WriteNumber("score", instance.Score);
                if (instance.Mask is { } mask)
                {
                    json.WriteStartObject("segmentation");
                    json.WriteStartArray("size");
                    json.WriteNumberValue(mask.Height);
                    json.WriteNumberValue(mask.Width);
                    json.WriteEndArray();
                    json.WriteString("counts", RleString.Encode(mask));
                    json.WriteEndObject();
                }

                if (instance.Keypoints is { } keypoints)
                {
                    json.WriteStartArray("keypoints");
                    foreach (double v in keypoints)
                    {
                        json.WriteNumberValue(double.IsFinite(v) ? v : 0);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
                written++;
            }
        }

        json.WriteEndArray();
        json.Flush();
        return (written, unknown);
    }

    private static Dictionary<string, int> BuildCocoIds()
    {
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < CocoCategories.Torchvision91.Count; i++)
        {
            if (CocoCategories.Torchvision91[i] != "N/A")
            {
                ids[CocoCategories.Torchvision91[i]] = i;
            }
        }

        return ids;
    }
}
