using System.Text.Json;
using StreamSeg.Configuration;
using StreamSeg.Evaluation.Coco;
using StreamSeg.Sinks;

namespace StreamSeg.Cli.Eval;

/// <summary>Reads a run's NDJSON metadata (<c>--meta</c>, schema <c>streamseg.frame/1</c>) line by line.</summary>
internal static class FrameRecordReader
{
    /// <summary>The frames of <paramref name="path"/>, in file order; a line that is not a <c>streamseg.frame/1</c> object is a <see cref="ConfigException"/> naming its line.</summary>
    public static IEnumerable<FrameRecord> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException($"Metadata file '{path}' not found (write one with 'streamseg run … --meta run.ndjson').");
        }

        return ReadLines(path);
    }

    private static IEnumerable<FrameRecord> ReadLines(string path)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            FrameRecord record;
            try
            {
                record = Parse(line);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ConfigException($"{path}:{number}: not a {FrameMetadataWriter.Schema} line ({ex.Message})");
            }

            yield return record;
        }
    }

    /// <summary>Parses one line.</summary>
    public static FrameRecord Parse(string line)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        string schema = root.GetProperty("schema").GetString() ?? string.Empty;
        if (schema != FrameMetadataWriter.Schema)
        {
            throw new FormatException($"schema '{schema}'");
        }

        var instances = new List<InstanceRecord>();
        foreach (JsonElement e in root.GetProperty("instances").EnumerateArray())
        {
            JsonElement box = e.GetProperty("box");
            Rle? mask = null;
            if (e.TryGetProperty("mask", out JsonElement m) && m.ValueKind == JsonValueKind.Object)
            {
                JsonElement size = m.GetProperty("size");
                JsonElement counts = m.GetProperty("counts");
                int h = size[0].GetInt32(), w = size[1].GetInt32();
                mask = counts.ValueKind == JsonValueKind.String
                    ? RleString.Decode(counts.GetString()!, h, w)
                    : new Rle(h, w, counts.EnumerateArray().Select(c => c.GetUInt32()).ToArray());
            }

            double[]? keypoints = null;
            if (e.TryGetProperty("keypoints", out JsonElement k) && k.ValueKind == JsonValueKind.Array)
            {
                keypoints = new double[k.GetArrayLength() * 3];
                int i = 0;
                foreach (JsonElement point in k.EnumerateArray())
                {
                    keypoints[i++] = Number(point[0]);
                    keypoints[i++] = Number(point[1]);
                    keypoints[i++] = Number(point[2]);
                }
            }

            instances.Add(new InstanceRecord(
                e.GetProperty("track_id").ValueKind == JsonValueKind.Number ? e.GetProperty("track_id").GetInt64() : null,
                e.GetProperty("class").GetString() ?? string.Empty,
                Number(e.GetProperty("score")),
                Number(box[0]),
                Number(box[1]),
                Number(box[2]),
                Number(box[3]),
                mask,
                keypoints));
        }

        return new FrameRecord(
            root.GetProperty("source").GetString() ?? string.Empty,
            root.GetProperty("source_index").GetInt32(),
            root.GetProperty("frame").GetInt64(),
            root.GetProperty("width").GetInt32(),
            root.GetProperty("height").GetInt32(),
            instances);
    }

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : double.NaN;
}
