namespace StreamSeg.Cli.Track;

/// <summary>The kinds of file <c>streamseg track</c> reads.</summary>
internal enum DetectionsFileFormat
{
    /// <summary>One JSON object <c>{"params", "frames": [{"frame", "detections": [[x1, y1, x2, y2, score], …]}, …]}</c>, the ByteTrack reference format.</summary>
    ByteTrackReference,

    /// <summary>One <c>streamseg.frame/1</c> object a line, as <c>streamseg run --meta</c> writes.</summary>
    FrameNdjson,
}
