using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Sinks;

/// <summary>Writes one JSON object per frame, one per line (NDJSON), with the frame's metadata, timings and instances.</summary>
/// <remarks>
/// <para>
/// Each line is <c>{"schema":"streamseg.frame/1","source","source_index","frame","pts_ms","capture_time"
/// (ISO-8601 UTC, null when unknown),"discontinuity","width","height","timings_ms":{"capture":…,"sink":…},
/// "instances":[{"track_id" (null when untracked),"class_id","class","score","box":[x1,y1,x2,y2],
/// "mask":{"size":[h,w],"counts":…} (COCO RLE of the full frame; null when the instance has none; omitted when
/// masks are off),"keypoints":[[x,y,score],…] (null without keypoints)}]}</c>. Non-finite numbers are written as null.
/// </para>
/// <para>
/// A single <see cref="Utf8JsonWriter"/> writes into one reused buffer, and the RLE scratch buffers are reused too,
/// so a frame costs no JSON DOM. Each line is written and flushed as a whole, so a reader tailing the file sees whole
/// lines, and <see cref="CompleteAsync"/> flushes and closes it so that the file ends on a whole line. The file's
/// directory is checked for write access in the constructor. Example:
/// <c>new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = "out/run.ndjson", RleFormat = RleFormat.String })</c>.
/// </para>
/// </remarks>
public sealed class NdjsonMetadataSink : ISink
{
    /// <summary>The value of every line's <c>schema</c> field.</summary>
    public const string Schema = "streamseg.frame/1";

    private static readonly JsonEncodedText[] s_stageNames = CreateStageNames();
    private readonly NdjsonMetadataSinkOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly List<int> _counts = new(256);
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private byte[] _rleText = new byte[1024];
    private long _linesWritten;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates the sink; with a path, the file is created now (an unwritable path throws an <see cref="IOException"/> naming it).</summary>
    public NdjsonMetadataSink(NdjsonMetadataSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        if (options.Path is not null)
        {
            OutputPath = OutputPaths.EnsureWritableFile(options.Path, "metadata output");
            try
            {
                _stream = new FileStream(OutputPath, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot write metadata output '{OutputPath}': {ex.Message}", ex);
            }

            _ownsStream = true;
        }
        else
        {
            _stream = options.Stream!;
            _ownsStream = !options.LeaveOpen;
        }

        // Relaxed escaping keeps RLE strings readable ('<', '>', '`' stay as they are); the output is a data file, never HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <inheritdoc/>
    public string Name => _options.Name;

    /// <summary>Gets the full path of the output file, or null when writing to a stream.</summary>
    public string? OutputPath { get; }

    /// <summary>Gets how many lines (frames) have been written.</summary>
    public long LinesWritten => Interlocked.Read(ref _linesWritten);

    /// <inheritdoc/>
    public async ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"Metadata sink '{Name}' is already complete.");
        }

        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        WriteFrame(frame);
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        await _stream.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _linesWritten);
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }

        _completed = true;
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _json.DisposeAsync().ConfigureAwait(false);
        if (_ownsStream)
        {
            // Lines are written whole, so closing here (even without CompleteAsync) never leaves half a line.
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void WriteFrame(Frame frame)
    {
        FrameMetadata meta = frame.Meta;
        Utf8JsonWriter json = _json;
        json.WriteStartObject();
        json.WriteString("schema"u8, Schema);
        json.WriteString("source"u8, meta.SourceId);
        json.WriteNumber("source_index"u8, meta.SourceIndex);
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
        if (_options.IncludeMasks)
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
        if (_options.RleFormat == RleFormat.String)
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
