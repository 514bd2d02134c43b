namespace StreamSeg.Frames;

/// <summary>Per-frame facts that travel with a frame through every stage.</summary>
public sealed class FrameMetadata
{
    /// <summary>Gets or sets the id of the source the frame came from (for example <c>cam0</c> or the file name).</summary>
    public string SourceId { get; set; } = string.Empty;

    /// <summary>Gets or sets the zero-based index of the source in this run.</summary>
    public int SourceIndex { get; set; }

    /// <summary>Gets or sets the zero-based index of the frame within its source (decoded frames, gaps included).</summary>
    public long Index { get; set; }

    /// <summary>Gets or sets the presentation timestamp reported by the source.</summary>
    public TimeSpan Pts { get; set; }

    /// <summary>Gets or sets the wall-clock time at which the frame was captured.</summary>
    public DateTimeOffset CaptureTime { get; set; }

    /// <summary>Gets or sets the <see cref="System.Diagnostics.Stopwatch"/> timestamp taken at capture, for latency.</summary>
    public long CaptureTimestamp { get; set; }

    /// <summary>Gets or sets whether one or more frames of this source were dropped before this one.</summary>
    public bool Discontinuity { get; set; }

    /// <summary>
    /// Gets or sets whether this is a placeholder ("source offline") frame rather than a captured one: the models skip
    /// it, it is not counted as captured, and metadata sinks do not report instances for it.
    /// </summary>
    public bool IsPlaceholder { get; set; }

    /// <summary>Gets the per-stage processing time of this frame, in milliseconds, indexed by <see cref="PipelineStage"/>.</summary>
    public double[] Timings { get; } = new double[PipelineStageInfo.Count];

    /// <summary>Resets every field so that a pooled frame can be reused.</summary>
    public void Reset()
    {
        SourceId = string.Empty;
        SourceIndex = 0;
        Index = 0;
        Pts = TimeSpan.Zero;
        CaptureTime = default;
        CaptureTimestamp = 0;
        Discontinuity = false;
        IsPlaceholder = false;
        Array.Clear(Timings);
    }
}
