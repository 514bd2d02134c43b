using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Sinks;

/// <summary>Writes one frame's metadata, timings and instances as one JSON object of schema <c>streamseg.frame/1</c>.</summary>
/// <remarks>
/// <para>
/// The object is <c>{"schema":"streamseg.frame/1","source","source_index","frame","pts_ms","capture_time"
/// (ISO-8601 UTC, null when unknown),"discontinuity","width","height","timings_ms":{"capture":…,"sink":…},
/// "instances":[{"track_id" (null when untracked),"class_id","class","score","box":[x1,y1,x2,y2],
/// "mask":{"size":[h,w],"counts":…} (COCO RLE of the full frame; null when the instance has none; omitted when
/// masks are off),"keypoints":[[x,y,score],…] (null without keypoints)}]}</c>. Non-finite numbers are written as null.
/// </para>
/// <para>
/// This is the one place that knows the schema: <see cref="NdjsonMetadataSink"/> writes its lines with it and
/// <c>MessageSink</c> its messages, so a file line and a message of the same frame are the same bytes. One
/// <see cref="Utf8JsonWriter"/> is reset onto the caller's buffer for each frame, and the RLE scratch buffers are
/// reused, so a frame costs no JSON DOM and, once the buffers have grown, no allocation. The object is written
/// without a trailing newline; non-finite numbers are written as null; strings use relaxed escaping, so RLE strings
/// and source ids stay readable (the output is data, never HTML).
/// </para>
/// <para>
/// An instance is not thread-safe: each sink owns one. Example:
/// <c>writer.Write(frame, buffer)</c> after <c>buffer.ResetWrittenCount()</c>, then send <c>buffer.WrittenMemory</c>.
/// </para>
/// </remarks>
public sealed class FrameMetadataWriter : IDisposable
{
    /// <summary>The value of every object's <c>schema</c> field.</summary>
    public const string Schema = "streamseg.frame/1";

    private static readonly JsonEncodedText s_schema = JsonEncodedText.Encode(Schema);
    private static readonly JsonEncodedText[] s_stageNames = CreateStageNames();
    private static readonly DateTimeOffset s_seqEpoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly bool _includeMasks;
    private readonly RleFormat _rleFormat;
    private readonly List<int> _counts = new(256);
    private readonly Utf8JsonWriter _json;
    private byte[] _rleText = new byte[1024];
    private readonly string? _node;
    private readonly bool _seqFromClock;
    private readonly Dictionary<int, long> _seq = [];
    private bool _disposed;

    /// <summary>Creates a writer with the given settings (default settings when null).</summary>
    public FrameMetadataWriter(FrameMetadataWriterOptions? options = null)
    {
        options ??= new FrameMetadataWriterOptions();
        options.Validate();
        _includeMasks = options.IncludeMasks;
        _rleFormat = options.RleFormat;
        _node = options.Node;
        _seqFromClock = options.SeqFromClock;

        // Relaxed escaping keeps RLE strings readable ('<', '>', '`' stay as they are); the output is a data file, never HTML.
        // The writer is created on a placeholder buffer and reset onto the caller's buffer for every frame.
        _json = new Utf8JsonWriter(new ArrayBufferWriter<byte>(1), new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Appends the JSON object of <paramref name="frame"/> to <paramref name="output"/> (nothing else: no newline) and returns the number of bytes written.</summary>
    public int Write(Frame frame, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _json.Reset(output);
        WriteFrame(frame);
        _json.Flush();
        return checked((int)_json.BytesCommitted);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _json.Dispose();
    }

    private long SeqBase() => _seqFromClock ? (DateTimeOffset.UtcNow - s_seqEpoch).Ticks / TimeSpan.TicksPerMillisecond * 4096 : 0;

    private void WriteFrame(Frame frame)
    {
        FrameMetadata meta = frame.Meta;
        Utf8JsonWriter json = _json;
        json.WriteStartObject();
        json.WriteString("schema"u8, s_schema);
        json.WriteString("source"u8, meta.SourceId);
        json.WriteNumber("source_index"u8, meta.SourceIndex);
        if (_node is not null)
        {
            // A stream's index is never reused in a service, so its sequence starts at 1 and only grows.
            long seq = (_seq.TryGetValue(meta.SourceIndex, out long last) ? last : SeqBase()) + 1;
            _seq[meta.SourceIndex] = seq;
            json.WriteString("id"u8, meta.SourceId);
            json.WriteString("node"u8, _node);
            json.WriteNumber("seq"u8, seq);
        }

        json.WriteNumber("frame"u8, meta.Index);
        WriteNumber("pts_ms"u8, meta.Pts.TotalMilliseconds);
        if (meta.CaptureTime == default)
        {
            json.WriteNull("capture_time"u8);
        }
        else
        {
            json.WriteString("capture_time"u8, meta.CaptureTime.UtcDateTime);
        }

        json.WriteBoolean("discontinuity"u8, meta.Discontinuity);
        json.WriteNumber("width"u8, frame.Width);
        json.WriteNumber("height"u8, frame.Height);
        json.WriteStartObject("timings_ms"u8);
        for (int s = 0; s < s_stageNames.Length; s++)
        {
            double ms = meta.Timings[s];
            if (double.IsFinite(ms))
            {
                json.WriteNumber(s_stageNames[s], ms);
            }
            else
            {
                json.WriteNull(s_stageNames[s]);
            }
        }

        json.WriteEndObject();
        json.WriteStartArray("instances"u8);
        Instances instances = frame.Instances ?? Instances.Empty;
        for (int i = 0; i < instances.Count; i++)
        {
            WriteInstance(instances, i, frame.Width, frame.Height);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteInstance(Instances instances, int i, int width, int height)
    {
        Utf8JsonWriter json = _json;
        json.WriteStartObject();
        if (instances.TrackIds is null)
        {
            json.WriteNull("track_id"u8);
        }
        else
        {
            json.WriteNumber("track_id"u8, instances.TrackIds[i]);
        }

        int classId = instances.ClassIds[i];
        json.WriteNumber("class_id"u8, classId);
        json.WriteString("class"u8, instances.ClassName(classId));
        WriteNumber("score"u8, instances.Scores[i]);
        BoxF box = instances.Boxes[i];
        json.WriteStartArray("box"u8);
        WriteNumberValue(box.X1);
        WriteNumberValue(box.Y1);
        WriteNumberValue(box.X2);
        WriteNumberValue(box.Y2);
        json.WriteEndArray();
        if (_includeMasks)
        {
            WriteMask(instances.Masks?[i], width, height);
        }

        ReadOnlySpan<Keypoint> points = instances.KeypointsOf(i);
        if (instances.Keypoints is null)
        {
            json.WriteNull("keypoints"u8);
        }
        else
        {
            json.WriteStartArray("keypoints"u8);
            for (int k = 0; k < points.Length; k++)
            {
                json.WriteStartArray();
                WriteNumberValue(points[k].X);
                WriteNumberValue(points[k].Y);
                WriteNumberValue(points[k].Score);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private void WriteMask(InstanceMask? mask, int width, int height)
    {
        Utf8JsonWriter json = _json;
        if (mask is null)
        {
            json.WriteNull("mask"u8);
            return;
        }

        CocoRle.Encode(mask, width, height, _counts);
        ReadOnlySpan<int> counts = CocoRle.AsSpan(_counts);
        json.WriteStartObject("mask"u8);
        json.WriteStartArray("size"u8);
        json.WriteNumberValue(height);
        json.WriteNumberValue(width);
        json.WriteEndArray();
        if (_rleFormat == RleFormat.String)
        {
            int length = CocoRle.WriteCompressed(counts, ref _rleText);
            json.WriteString("counts"u8, _rleText.AsSpan(0, length));
        }
        else
        {
            json.WriteStartArray("counts"u8);
            for (int c = 0; c < counts.Length; c++)
            {
                json.WriteNumberValue(counts[c]);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private void WriteNumber(ReadOnlySpan<byte> name, double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumber(name, value);
        }
        else
        {
            _json.WriteNull(name);
        }
    }

    private void WriteNumber(ReadOnlySpan<byte> name, float value)
    {
        if (float.IsFinite(value))
        {
            _json.WriteNumber(name, value);
        }
        else
        {
            _json.WriteNull(name);
        }
    }

    private void WriteNumberValue(float value)
    {
        if (float.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _json.WriteNullValue();
        }
    }

    private static JsonEncodedText[] CreateStageNames()
    {
        var names = new JsonEncodedText[PipelineStageInfo.Count];
        for (int s = 0; s < names.Length; s++)
        {
            names[s] = JsonEncodedText.Encode(PipelineStageInfo.Name((PipelineStage)s));
        }

        return names;
    }
}
