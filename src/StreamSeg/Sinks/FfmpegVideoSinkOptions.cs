namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="FfmpegVideoSink"/>: where to write and how ffmpeg encodes.</summary>
/// <param name="Path">The output file (MP4 by default); its directory is created if missing.</param>
public sealed record FfmpegVideoSinkOptions(string Path)
{
    /// <summary>Gets the frame rate written into the stream (frames are taken as evenly spaced). Default 30.</summary>
    public double Fps { get; init; } = 30;

    /// <summary>Gets the ffmpeg video encoder. Default <c>libx264</c>.</summary>
    public string Codec { get; init; } = "libx264";

    /// <summary>
    /// Gets the encoder preset, or null/empty to pass none. Default <c>superfast</c>: on a 768×576 video it takes about
    /// 60 % of <c>veryfast</c>'s CPU for an 11 % larger file (bench/RESULTS.md, issue 16), CPU the models keep.
    /// </summary>
    public string? Preset { get; init; } = "superfast";

    /// <summary>Gets the constant rate factor (0..63; lower is better), or null to pass none. Default 23.</summary>
    public int? Crf { get; init; } = 23;

    /// <summary>Gets the encoded pixel format. Default <c>yuv420p</c>, which every player supports.</summary>
    public string PixelFormat { get; init; } = "yuv420p";

    /// <summary>Gets the ffmpeg executable (a name on PATH or a path). Default <c>ffmpeg</c>.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>
    /// Gets the encoder's threads (default 1: at pipeline frame rates one core encodes in real time, and more threads
    /// only take CPU from inference on small machines; 0 lets the encoder decide).
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Gets the maximum distance between keyframes in seconds. Each keyframe starts a new MP4 fragment, so this bounds
    /// how much video is lost if the process dies. Default 1.
    /// </summary>
    public double KeyframeIntervalSeconds { get; init; } = 1;

    /// <summary>
    /// Gets whether an MP4/MOV output is fragmented (<c>+frag_keyframe+empty_moov+default_base_moof</c>, playable even
    /// if the process dies) rather than written with <c>+faststart</c> (moov moved to the front at the end; unplayable
    /// if the run is cut short). Default true.
    /// </summary>
    public bool Fragmented { get; init; } = true;

    /// <summary>Gets how long <see cref="FfmpegSink.CompleteAsync"/> waits for ffmpeg to finish before killing it. Default 30 s.</summary>
    public TimeSpan CompleteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the sink name used in logs and fault messages. Default <c>video</c>.</summary>
    public string Name { get; init; } = "video";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is missing or out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Path);
        ArgumentException.ThrowIfNullOrWhiteSpace(Codec);
        ArgumentException.ThrowIfNullOrWhiteSpace(PixelFormat);
        ArgumentException.ThrowIfNullOrWhiteSpace(FfmpegPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        if (!(Fps > 0 && Fps <= 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(Fps), Fps, "FfmpegVideoSinkOptions.Fps must be within (0, 1000].");
        }

        if (Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "FfmpegVideoSinkOptions.Threads must not be negative.");
        }

        if (Crf is < 0 or > 63)
        {
            throw new ArgumentOutOfRangeException(nameof(Crf), Crf, "FfmpegVideoSinkOptions.Crf must be within 0..63.");
        }

        if (!(KeyframeIntervalSeconds > 0 && KeyframeIntervalSeconds <= 60))
        {
            throw new ArgumentOutOfRangeException(nameof(KeyframeIntervalSeconds), KeyframeIntervalSeconds, "FfmpegVideoSinkOptions.KeyframeIntervalSeconds must be within (0, 60].");
        }

        if (CompleteTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CompleteTimeout), CompleteTimeout, "FfmpegVideoSinkOptions.CompleteTimeout must be positive.");
        }
    }
}
