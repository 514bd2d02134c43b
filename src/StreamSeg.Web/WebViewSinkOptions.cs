namespace StreamSeg.Web;

/// <summary>Settings of a <see cref="WebViewSink"/>.</summary>
public sealed record WebViewSinkOptions
{
    /// <summary>Gets the default settings.</summary>
    public static WebViewSinkOptions Default { get; } = new();

    /// <summary>Gets the sink's name in logs and metrics (default <c>web</c>).</summary>
    public string Name { get; init; } = "web";

    /// <summary>Gets the JPEG quality, 1..100 (default 80).</summary>
    public int JpegQuality { get; init; } = 80;

    /// <summary>Gets the widest image served, in pixels: wider frames are downscaled (keeping the aspect ratio) before encoding; 0 keeps the frame's size (default 1280).</summary>
    public int MaxWidth { get; init; } = 1280;

    /// <summary>Gets how long a snapshot request keeps encoding on when no MJPEG client is connected (default 2 s).</summary>
    public TimeSpan DemandLinger { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long a stream may go without a frame before it is reported as degraded (default 5 s).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how many recent frames the per-stream latency percentiles are taken over (default 256).</summary>
    public int LatencyWindow { get; init; } = 256;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentOutOfRangeException.ThrowIfLessThan(JpegQuality, 1, nameof(JpegQuality));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(JpegQuality, 100, nameof(JpegQuality));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWidth, nameof(MaxWidth));
        ArgumentOutOfRangeException.ThrowIfLessThan(DemandLinger, TimeSpan.Zero, nameof(DemandLinger));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StaleAfter, TimeSpan.Zero, nameof(StaleAfter));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LatencyWindow, nameof(LatencyWindow));
    }
}
