using System.Text.Json;
using StreamSeg.Tracking;

namespace StreamSeg.Cli.Track;

/// <summary>
/// Writes tracks in the ByteTrack reference format: <c>{"name", "description", "params", "frames": [{"frame",
/// "detections", "tracks": [{"track_id", "tlbr", "score", "det_index"}], "unconfirmed", "lost"}]}</c>, one frame
/// after another, so that a long sequence is never held whole.
/// </summary>
/// <remarks>
/// <c>frame</c> is the tracker's frame number (1 for the first update of a source). Frames read from NDJSON also carry
/// <c>source</c>, <c>source_index</c> and <c>source_frame</c> (the frame's index in its source). <c>tlbr</c> is the
/// Kalman box in double precision; <c>score</c> the matched detection's score as the input wrote it.
/// </remarks>
internal sealed class TracksFileWriter : IDisposable
{
    private readonly Utf8JsonWriter _json;
    private readonly bool _withSource;

    /// <summary>Starts the document on <paramref name="stream"/> (left open) with the sequence's header and the settings used.</summary>
    public TracksFileWriter(Stream stream, DetectionsFile file, ByteTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        _withSource = file.Format == DetectionsFileFormat.FrameNdjson;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        _json.WriteStartObject();
        _json.WriteString("name", file.Name);
        if (file.Description is not null)
        {
            _json.WriteString("description", file.Description);
        }

        _json.WriteStartObject("params");
        _json.WriteNumber("track_thresh", Decimal(options.TrackHighThreshold));
        _json.WriteNumber("det_thresh", Decimal(options.EffectiveNewTrackThreshold));
        _json.WriteNumber("track_buffer", options.TrackBuffer);
        _json.WriteNumber("frame_rate", options.FrameRate);
        _json.WriteNumber("max_time_lost", options.MaxTimeLost);
        _json.WriteNumber("match_thresh", Decimal(options.MatchThreshold));
        _json.WriteBoolean("mot20", !options.FuseScore);
        _json.WriteBoolean("confirmed_ids", options.ConfirmedIds);
        if (file.ImageSize is (int h, int w))
        {
            _json.WriteStartArray("img_size");
            _json.WriteNumberValue(h);
            _json.WriteNumberValue(w);
            _json.WriteEndArray();
        }

        _json.WriteNumber("scale", 1.0);
        _json.WriteEndObject();
        _json.WriteStartArray("frames");
    }

    /// <summary>Writes one frame: its detections as read and the tracker's lists after it.</summary>
    public void WriteFrame(DetectionFrame frame, long frameNumber, List<TrackSnapshot> tracks)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(tracks);
        Utf8JsonWriter json = _json;
        json.WriteStartObject();
        json.WriteNumber("frame", frameNumber);
        if (_withSource)
        {
            json.WriteString("source", frame.Meta.SourceId);
            json.WriteNumber("source_index", frame.Meta.SourceIndex);
            json.WriteNumber("source_frame", frame.Meta.Index);
        }

        json.WriteStartArray("detections");
        foreach (double[] d in frame.Raw)
        {
            json.WriteStartArray();
            foreach (double v in d)
            {
                json.WriteNumberValue(v);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        WriteList("tracks", frame, tracks, TrackStatus.Confirmed);
        WriteList("unconfirmed", frame, tracks, TrackStatus.Unconfirmed);
        WriteList("lost", frame, tracks, TrackStatus.Lost);
        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>Closes the document.</summary>
    public void Complete()
    {
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
    }

    /// <inheritdoc/>
    public void Dispose() => _json.Dispose();

    // A float setting written as the decimal it was given as (0.25f as 0.25, not 0.25000000372529).
    private static double Decimal(float value) => double.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private void WriteList(string name, DetectionFrame frame, List<TrackSnapshot> tracks, TrackStatus status)
    {
        Utf8JsonWriter json = _json;
        json.WriteStartArray(name);
        foreach (TrackSnapshot t in tracks)
        {
            if (t.Status != status)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteNumber("track_id", t.TrackId);
            json.WriteStartArray("tlbr");
            json.WriteNumberValue(t.X1);
            json.WriteNumberValue(t.Y1);
            json.WriteNumberValue(t.X2);
            json.WriteNumberValue(t.Y2);
            json.WriteEndArray();
            if (status == TrackStatus.Lost)
            {
                json.WriteNumber("last_frame", t.LastFrame);
                json.WriteBoolean("timed_out", t.TimedOut);
            }
            else
            {
                json.WriteNumber("score", frame.Raw[t.DetectionIndex][4]);
                json.WriteNumber("det_index", t.DetectionIndex);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
