namespace StreamSeg.Sinks;

/// <summary>Settings of <see cref="WindowSink"/> (the <c>--show</c> preview window).</summary>
public sealed record WindowSinkOptions
{
    /// <summary>Gets the window title. Default <c>StreamSeg</c>.</summary>
    public string WindowName { get; init; } = "StreamSeg";

    /// <summary>Gets the sink name used in logs and fault messages. Default <c>window</c>.</summary>
    public string Name { get; init; } = "window";

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is missing.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(WindowName);
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
    }
}
