using System.Text.Json;

namespace StreamSeg.Evaluation.Panoptic;

/// <summary>Reads COCO panoptic JSON files (ground truth with <c>categories</c>, predictions without).</summary>
public static class PanopticJsonReader
{
    /// <summary>Reads the categories (in file order) and the annotations of <paramref name="path"/>.</summary>
    public static (IReadOnlyList<PanopticCategory> Categories, IReadOnlyList<PanopticAnnotation> Annotations) Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using JsonDocument doc = JsonDocument.Parse(stream);
        JsonElement root = doc.RootElement;
        var categories = new List<PanopticCategory>();
        if (root.TryGetProperty("categories", out JsonElement cats))
        {
            foreach (JsonElement c in cats.EnumerateArray())
            {
                categories.Add(new PanopticCategory(
                    c.GetProperty("id").GetInt32(),
                    c.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? string.Empty : string.Empty,
                    c.TryGetProperty("isthing", out JsonElement t) && t.GetInt32() == 1));
            }
        }

        var annotations = new List<PanopticAnnotation>();
        foreach (JsonElement a in root.GetProperty("annotations").EnumerateArray())
        {
            var segments = new List<PanopticSegment>();
            foreach (JsonElement s in a.GetProperty("segments_info").EnumerateArray())
            {
                segments.Add(new PanopticSegment(
                    s.GetProperty("id").GetInt32(),
                    s.GetProperty("category_id").GetInt32(),
                    s.TryGetProperty("iscrowd", out JsonElement crowd) && crowd.GetInt32() == 1,
                    s.TryGetProperty("area", out JsonElement area) ? area.GetDouble() : 0));
            }

            annotations.Add(new PanopticAnnotation(ImageId(a.GetProperty("image_id")), a.GetProperty("file_name").GetString() ?? string.Empty, segments));
        }

        return (categories, annotations);
    }

    private static string ImageId(JsonElement id) => id.ValueKind == JsonValueKind.String ? id.GetString() ?? string.Empty : id.GetRawText();
}
