namespace StreamSeg.Capture;

/// <summary>How to open a source.</summary>
/// <param name="Uri">A file path, <c>camera:N</c>, <c>/dev/videoN</c>, an image folder, or a stream URL.</param>
/// <param name="Id">The id used in metadata; defaults to the file name or the redacted URL.</param>
/// <param name="RtspTransport">For RTSP: <c>auto</c> (TCP, then UDP if the server refuses TCP or sends nothing over it), <c>tcp</c> or <c>udp</c>.</param>
/// <param name="OpenTimeout">How long opening a network stream or camera may take.</param>
/// <param name="ReadTimeout">How long one read of a network stream may block.</param>
/// <param name="Loop">For files and folders: start again at the end (a simulated live source).</param>
public sealed record SourceOptions(
    string Uri,
    string? Id = null,
    string RtspTransport = "auto",
    TimeSpan? OpenTimeout = null,
    TimeSpan? ReadTimeout = null,
    bool Loop = false)
{
    /// <summary>Gets the open timeout, 10 s by default.</summary>
    public TimeSpan EffectiveOpenTimeout => OpenTimeout ?? TimeSpan.FromSeconds(10);

    /// <summary>Gets the read timeout, 5 s by default.</summary>
    public TimeSpan EffectiveReadTimeout => ReadTimeout ?? TimeSpan.FromSeconds(5);
}
