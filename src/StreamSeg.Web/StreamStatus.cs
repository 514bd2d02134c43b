namespace StreamSeg.Web;

/// <summary>The live figures of one stream, as served by <c>/api/streams</c>.</summary>
/// <param name="Index">The source's zero-based index in the run (used in the stream URLs).</param>
/// <param name="Id">The source id (credentials already redacted).</param>
/// <param name="Health">Whether the stream is ready.</param>
/// <param name="Frames">Frames seen by the sink.</param>
/// <param name="FrameIndex">Index of the latest frame within its source (-1 before the first).</param>
/// <param name="Width">Width of the latest frame.</param>
/// <param name="Height">Height of the latest frame.</param>
/// <param name="Fps">Recent frames per second at the sink.</param>
/// <param name="LatencyP50Ms">Median capture-to-sink latency over recent frames, in milliseconds.</param>
/// <param name="LatencyP95Ms">95th percentile capture-to-sink latency over recent frames, in milliseconds.</param>
/// <param name="StagesMs">Recent mean time per stage, in milliseconds, by stage name.</param>
/// <param name="Drops">Frames of this source that never reached the sink (gaps in frame indices).</param>
/// <param name="ActiveTracks">Instances with a track id in the latest frame.</param>
/// <param name="Instances">Instances in the latest frame.</param>
/// <param name="LastFrameAgeMs">Time since the latest frame, in milliseconds (null before the first).</param>
/// <param name="Clients">MJPEG clients connected now.</param>
/// <param name="JpegFrames">Frames encoded to JPEG (only while someone watches).</param>
/// <param name="SourceState">The source's state: live, stalled, reconnecting or ended (from its health events).</param>
/// <param name="Reconnects">How many times the source came back after going offline.</param>
public sealed record StreamStatus(
    int Index,
    string Id,
    StreamHealth Health,
    long Frames,
    long FrameIndex,
    int Width,
    int Height,
    double Fps,
    double LatencyP50Ms,
    double LatencyP95Ms,
    IReadOnlyDictionary<string, double> StagesMs,
    long Drops,
    int ActiveTracks,
    int Instances,
    double? LastFrameAgeMs,
    int Clients,
    long JpegFrames,
    string SourceState = "live",
    int Reconnects = 0);
