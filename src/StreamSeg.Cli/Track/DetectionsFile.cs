using System.Text.Json;
using StreamSeg.Capture;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Cli.Track;

/// <summary>
/// A recorded sequence of detections for <c>streamseg track</c>: a ByteTrack reference file (its <c>params</c> give
/// the settings it was made with) or <c>streamseg.frame/1</c> NDJSON (each line's instances, any number of sources).
/// </summary>
/// <remarks>
/// A file that is neither, or a value of the wrong kind, throws a <see cref="SourceException"/> naming the file, the
/// frame or line, and what was expected. NDJSON written after tracking holds only tracked instances: record with
/// <c>--no-track</c> to re-track every detection.
/// </remarks>
internal sealed class DetectionsFile
{
    private DetectionsFile(string path, DetectionsFileFormat format)
    {
        Path = path;
        Format = format;
    }

    /// <summary>Gets the path the file was read from.</summary>
    public string Path { get; }

    /// <summary>Gets the file's format.</summary>
    public DetectionsFileFormat Format { get; }

    /// <summary>Gets the sequence's name (reference files; else the file name).</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>Gets the reference file's description, or null.</summary>
    public string? Description { get; private set; }

    /// <summary>Gets the <c>track_thresh</c> the file was made with, or null.</summary>
    public float? TrackThreshold { get; private set; }

    /// <summary>Gets the <c>match_thresh</c> the file was made with, or null.</summary>
    public float? MatchThreshold { get; private set; }

    /// <summary>Gets the <c>track_buffer</c> the file was made with, or null.</summary>
    public int? TrackBuffer { get; private set; }

    /// <summary>Gets the <c>mot20</c> setting the file was made with (true: no score fusion), or null.</summary>
    public bool? Mot20 { get; private set; }

    /// <summary>Gets the frame rate of the file (its <c>frame_rate</c>, or from NDJSON timestamps), or null when unknown.</summary>
    public double? FrameRate { get; private set; }

    /// <summary>Gets the image size (height, width), or null when unknown.</summary>
    public (int Height, int Width)? ImageSize { get; private set; }

    /// <summary>Gets the frames in file order.</summary>
    public List<DetectionFrame> Frames { get; } = [];

    /// <summary>Reads <paramref name="path"/>; throws <see cref="SourceException"/> when it is absent or not a detections file.</summary>
    public static DetectionsFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"Detections file '{path}': cannot be read: {ex.Message}", ex);
        }

        ReadOnlySpan<char> trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
        {
            throw Invalid(path, "the file is empty; expected a ByteTrack reference JSON object or streamseg.frame/1 NDJSON");
        }

        int firstLineEnd = trimmed.IndexOf('\n');
        string firstLine = (firstLineEnd < 0 ? trimmed : trimmed[..firstLineEnd]).ToString();
        if (LooksLikeFrameLine(firstLine))
        {
            var ndjson = new DetectionsFile(path, DetectionsFileFormat.FrameNdjson) { Name = System.IO.Path.GetFileNameWithoutExtension(path) };
            ndjson.ReadNdjson(text);
            return ndjson;
        }

        var reference = new DetectionsFile(path, DetectionsFileFormat.ByteTrackReference);
        reference.ReadReference(text);
        return reference;
    }

    private static bool LooksLikeFrameLine(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("schema", out JsonElement schema)
                && schema.ValueKind == JsonValueKind.String
                && schema.GetString() == Sinks.FrameMetadataWriter.Schema;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static SourceException Invalid(string path, string what, Exception? inner = null) =>
        inner is null ? new SourceException($"Detections file '{path}': {what}.") : new SourceException($"Detections file '{path}': {what}.", inner);

    private void ReadReference(string text)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw Invalid(Path, $"not JSON ({ex.Message}); expected a ByteTrack reference object {{\"frames\": [...]}} or streamseg.frame/1 NDJSON", ex);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("frames", out JsonElement frames) || frames.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(Path, "expected a ByteTrack reference object with a \"frames\" array, or streamseg.frame/1 NDJSON (one object a line with \"schema\": \"streamseg.frame/1\")");
            }

            Name = root.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : System.IO.Path.GetFileNameWithoutExtension(Path);
            Description = root.TryGetProperty("description", out JsonElement description) && description.ValueKind == JsonValueKind.String ? description.GetString() : null;
            if (root.TryGetProperty("params", out JsonElement p) && p.ValueKind == JsonValueKind.Object)
            {
                TrackThreshold = OptionalNumber(p, "track_thresh") is double t ? (float)t : null;
                MatchThreshold = OptionalNumber(p, "match_thresh") is double m ? (float)m : null;
                TrackBuffer = OptionalNumber(p, "track_buffer") is double b ? checked((int)b) : null;
                FrameRate = OptionalNumber(p, "frame_rate");
                if (p.TryGetProperty("mot20", out JsonElement mot20) && mot20.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    Mot20 = mot20.GetBoolean();
                }

                if (p.TryGetProperty("img_size", out JsonElement size) && size.ValueKind == JsonValueKind.Array && size.GetArrayLength() == 2
                    && size[0].TryGetInt32(out int h) && size[1].TryGetInt32(out int w))
                {
                    ImageSize = (h, w);
                }
            }

            int number = 0;
            foreach (JsonElement frame in frames.EnumerateArray())
            {
                number++;
                string where = $"frames[{number - 1}]";
                if (frame.ValueKind != JsonValueKind.Object || !frame.TryGetProperty("detections", out JsonElement dets) || dets.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid(Path, $"{where}: expected an object with a \"detections\" array of [x1, y1, x2, y2, score]");
                }

                var raw = new double[dets.GetArrayLength()][];
                int i = 0;
                foreach (JsonElement d in dets.EnumerateArray())
                {
                    raw[i] = ReadNumbers(d, 5, $"{where}.detections[{i}]", "[x1, y1, x2, y2, score]");
                    i++;
                }

                // The reference counts frames from 1; the stream index is one less.
                var meta = new FrameMetadata { SourceId = Name, Index = number - 1 };
                Frames.Add(new DetectionFrame(meta, ToInstances(raw, null, null), raw));
            }
        }
    }

    private void ReadNdjson(string text)
    {
        var firstPts = new Dictionary<int, (long Frame, double Pts)>();
        var lastPts = new Dictionary<int, (long Frame, double Pts)>();
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string where = $"line {lineNumber}";
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw Invalid(Path, $"{where}: not JSON ({ex.Message}); expected one streamseg.frame/1 object a line", ex);
            }

            using (doc)
            {
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out JsonElement schema) || schema.GetString() != Sinks.FrameMetadataWriter.Schema)
                {
                    throw Invalid(Path, $"{where}: expected an object with \"schema\": \"{Sinks.FrameMetadataWriter.Schema}\"");
                }

                if (!root.TryGetProperty("instances", out JsonElement instances) || instances.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid(Path, $"{where}: expected an \"instances\" array");
                }

                int sourceIndex = OptionalNumber(root, "source_index") is double si ? (int)si : 0;
                long index = OptionalNumber(root, "frame") is double f ? (long)f : Frames.Count;
                var meta = new FrameMetadata
                {
                    SourceId = root.TryGetProperty("source", out JsonElement source) && source.ValueKind == JsonValueKind.String ? source.GetString()! : string.Empty,
                    SourceIndex = sourceIndex,
                    Index = index,
                    Discontinuity = root.TryGetProperty("discontinuity", out JsonElement disc) && disc.ValueKind == JsonValueKind.True,
                };
                if (OptionalNumber(root, "pts_ms") is double pts)
                {
                    meta.Pts = TimeSpan.FromMilliseconds(pts);
                    firstPts.TryAdd(sourceIndex, (index, pts));
                    lastPts[sourceIndex] = (index, pts);
                }

                if (ImageSize is null && OptionalNumber(root, "width") is double w && OptionalNumber(root, "height") is double h)
                {
                    ImageSize = ((int)h, (int)w);
                }

                var raw = new double[instances.GetArrayLength()][];
                var classIds = new int[raw.Length];
                var classNames = new List<string>();
                int i = 0;
                foreach (JsonElement instance in instances.EnumerateArray())
                {
                    string at = $"{where}: instances[{i}]";
                    if (instance.ValueKind != JsonValueKind.Object || !instance.TryGetProperty("box", out JsonElement box))
                    {
                        throw Invalid(Path, $"{at}: expected an object with \"box\": [x1, y1, x2, y2] and \"score\"");
                    }

                    double[] b = ReadNumbers(box, 4, $"{at}.box", "[x1, y1, x2, y2]");
                    double score = OptionalNumber(instance, "score") ?? throw Invalid(Path, $"{at}: expected a number \"score\"");
                    raw[i] = [b[0], b[1], b[2], b[3], score];
                    classIds[i] = OptionalNumber(instance, "class_id") is double c ? (int)c : 0;
                    if (instance.TryGetProperty("class", out JsonElement cls) && cls.ValueKind == JsonValueKind.String)
                    {
                        while (classNames.Count <= classIds[i])
                        {
                            classNames.Add(string.Empty);
                        }

                        if (classIds[i] >= 0)
                        {
                            classNames[classIds[i]] = cls.GetString()!;
                        }
                    }

                    i++;
                }

                Frames.Add(new DetectionFrame(meta, ToInstances(raw, classIds, classNames), raw));
            }
        }

        if (Frames.Count == 0)
        {
            throw Invalid(Path, "no frames; expected one streamseg.frame/1 object a line");
        }

        // The frame rate of the first source that has two timestamped frames: frames advanced over time elapsed.
        foreach ((int source, (long frame0, double pts0)) in firstPts)
        {
            (long frame1, double pts1) = lastPts[source];
            if (frame1 > frame0 && pts1 > pts0)
            {
                FrameRate = Math.Round((frame1 - frame0) / ((pts1 - pts0) / 1000.0), 3);
                break;
            }
        }
    }

    private double[] ReadNumbers(JsonElement element, int count, string where, string shape)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != count)
        {
            throw Invalid(Path, $"{where}: expected {shape}");
        }

        var values = new double[count];
        int k = 0;
        foreach (JsonElement v in element.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out values[k]) || !double.IsFinite(values[k]))
            {
                throw Invalid(Path, $"{where}: expected {shape} of finite numbers, found {v.GetRawText()} at position {k}");
            }

            k++;
        }

        return values;
    }

    private static double? OptionalNumber(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) ? d : null;

    private static Instances ToInstances(double[][] raw, int[]? classIds, List<string>? classNames)
    {
        var boxes = new BoxF[raw.Length];
        var scores = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            double[] d = raw[i];
            boxes[i] = new BoxF((float)d[0], (float)d[1], (float)d[2], (float)d[3]);
            scores[i] = (float)d[4];
        }

        return new Instances(boxes, scores, classIds ?? new int[raw.Length], classNames: classNames is { Count: > 0 } ? classNames : null);
    }
}
