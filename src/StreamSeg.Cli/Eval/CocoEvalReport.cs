using System.Globalization;
using System.Text.Json;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>Prints COCO evaluations as pycocotools does (the standard table), optionally per category, and writes them as JSON.</summary>
internal static class CocoEvalReport
{
    /// <summary>The name <c>--iou-type</c> and the JSON use for <paramref name="type"/>.</summary>
    public static string Name(CocoIouType type) => type switch
    {
        CocoIouType.Bbox => "bbox",
        CocoIouType.Segm => "segm",
        _ => "keypoints",
    };

    /// <summary>Writes pycocotools' header line and table for <paramref name="result"/>, and the per-category AP when asked.</summary>
    public static void Print(CocoEvalResult result, TextWriter output, bool perCategory)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        output.Write($"Evaluate annotation type *{Name(result.Parameters.IouType)}*\n");
        output.Write(result.FormatTable());
        if (perCategory)
        {
            output.Write("Per-category AP @[ IoU=0.50:0.95 | area=   all ]:\n");
            foreach ((int id, string name, double ap) in result.PerCategoryAp())
            {
                output.Write(string.Create(CultureInfo.InvariantCulture, $"  {id,4} {name,-20} {ap:0.000}\n"));
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="results"/> to <paramref name="path"/>: for one result, each stat by name, the
    /// <c>stats</c> array in pycocotools' order, <c>iou_type</c>, <c>eval_seconds</c> and (when asked)
    /// <c>per_category</c>; for several, one such object per IoU type, keyed by its name.
    /// </summary>
    public static void WriteJson(IReadOnlyList<CocoEvalResult> results, string path, bool perCategory)
    {
        ArgumentNullException.ThrowIfNull(results);
        using FileStream stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        if (results.Count == 1)
        {
            WriteResult(json, results[0], perCategory);
        }
        else
        {
            json.WriteStartObject();
            foreach (CocoEvalResult result in results)
            {
                json.WritePropertyName(Name(result.Parameters.IouType));
                WriteResult(json, result, perCategory);
            }

            json.WriteEndObject();
        }
    }

    private static void WriteResult(Utf8JsonWriter json, CocoEvalResult result, bool perCategory)
    {
        json.WriteStartObject();
        json.WriteString("iou_type", Name(result.Parameters.IouType));
        for (int s = 0; s < result.Stats.Count; s++)
        {
            json.WriteNumber(result.Parameters.Stats[s].Name, result.Stats[s]);
        }

        json.WriteStartArray("stats");
        foreach (double v in result.Stats)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
        json.WriteNumber("eval_seconds", result.Elapsed.TotalSeconds);
        if (perCategory)
        {
            json.WriteStartArray("per_category");
            foreach ((int id, string name, double ap) in result.PerCategoryAp())
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("name", name);
                json.WriteNumber("AP", ap);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}
