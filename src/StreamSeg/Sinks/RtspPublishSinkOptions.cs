using System.Globalization;
using StreamSeg.Capture;

namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="RtspPublishSink"/>: where to publish, how ffmpeg encodes, and how the sink reconnects.</summary>
/// <param name="Url">
/// The RTSP URL to publish to, <c>rtsp://[user:password@]host[:port]/path</c> (or <c>rtsps://</c>). Credentials in it
/// never appear in messages, logs or <see cref="ToString"/>.
/// </param>
public sealed record RtspPublishSinkOptions(string Url)
{
    /// <summary>Gets the RTP transport to the server: <c>udp</c> (default) or <c>tcp</c> (interleaved in the RTSP connection).</summary>
    public string Transport { get; init; } = "udp";

    /// <summary>Gets the frame rate written into the stream (frames are taken as evenly spaced). Default 30.</summary>
    public double Fps { get; init; } = 30;

    /// <summary>
    /// Gets the maximum distance between keyframes in seconds (<c>-g</c>). A viewer that joins can show a picture only
    /// from the next keyframe, so this bounds its start-up wait; shorter costs bitrate. Default 1.
    /// </summary>
    public double KeyframeIntervalSeconds { get; init; } = 1;

    /// <summary>Gets the libx264 preset. Default <c>ultrafast</c>, which leaves the cores to inference.</summary>
    public string Preset { get; init; } = "ultrafast";

    /// <summary>Gets the libx264 tune, or null/empty to pass none. Default <c>zerolatency</c> (no frame delay in the encoder).</summary>
    public string? Tune { get; init; } = "zerolatency";

    /// <summary>Gets the encoder's threads (default 1, as for <see cref="FfmpegVideoSinkOptions.Threads"/>; 0 lets the encoder decide).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Gets when a lost or failed session is retried, and whether the sink ever gives up (then it stops and drops every
    /// later frame). Default <see cref="ReconnectPolicy.Default"/>: 0.5 s doubling to 10 s, shortened by up to 20 %, forever.
    /// </summary>
    public ReconnectPolicy Reconnect { get; init; } = ReconnectPolicy.Default;

    /// <summary>
    /// Gets how long one frame may take to go into ffmpeg's input. Past it the server is taken as stalled: ffmpeg is
    /// killed, the frame is dropped and the sink reconnects. This bounds how long the pipeline can wait on the sink. Default 2 s.
    /// </summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long ffmpeg may take to open the RTSP session before the attempt is abandoned. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long <see cref="FfmpegSink.CompleteAsync"/> waits for ffmpeg to send what it has and exit before killing it. Default 5 s.</summary>
    public TimeSpan CompleteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the ffmpeg executable (a name on PATH or a path). Default <c>ffmpeg</c>.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>Gets the sink name used in logs and fault messages. Default <c>publish</c>.</summary>
    public string Name { get; init; } = "publish";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is missing or out of range; messages never show the URL's credentials.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Url);
        ArgumentException.ThrowIfNullOrWhiteSpace(Preset);
        ArgumentException.ThrowIfNullOrWhiteSpace(FfmpegPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        if (!Uri.TryCreate(Url, UriKind.Absolute, out Uri? uri)
            || !(uri.Scheme.Equals("rtsp", StringComparison.OrdinalIgnoreCase) || uri.Scheme.Equals("rtsps", StringComparison.OrdinalIgnoreCase))
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"RtspPublishSinkOptions.Url must be an rtsp:// or rtsps:// URL with a host; got '{UrlRedactor.Redact(Url)}'.", nameof(Url));
        }

        if (Transport is not ("udp" or "tcp"))
        {
            throw new ArgumentOutOfRangeException(nameof(Transport), Transport, "RtspPublishSinkOptions.Transport must be 'udp' or 'tcp'.");
        }

        if (!(Fps > 0 && Fps <= 1000))
        {
            throw new ArgumentOutOfRangeException(nameof(Fps), Fps, "RtspPublishSinkOptions.Fps must be within (0, 1000].");
        }

        if (!(KeyframeIntervalSeconds > 0 && KeyframeIntervalSeconds <= 60))
        {
            throw new ArgumentOutOfRangeException(nameof(KeyframeIntervalSeconds), KeyframeIntervalSeconds, "RtspPublishSinkOptions.KeyframeIntervalSeconds must be within (0, 60].");
        }

        if (Threads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "RtspPublishSinkOptions.Threads must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(Reconnect);
        Reconnect.Validate();
        ThrowIfNotPositive(WriteTimeout, nameof(WriteTimeout));
        ThrowIfNotPositive(ConnectTimeout, nameof(ConnectTimeout));
        ThrowIfNotPositive(CompleteTimeout, nameof(CompleteTimeout));
    }

    /// <summary>Returns the main settings, with the URL's credentials redacted (the record's generated text would print them).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"RtspPublishSinkOptions {{ Url = {UrlRedactor.Redact(Url)}, Transport = {Transport}, Fps = {Fps}, KeyframeIntervalSeconds = {KeyframeIntervalSeconds}, Preset = {Preset}, Tune = {Tune}, Name = {Name} }}");

    private static void ThrowIfNotPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"RtspPublishSinkOptions.{name} must be positive.");
        }
    }
}
