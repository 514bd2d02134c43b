namespace StreamSeg.Models;

/// <summary>
/// Decoding settings shared by all model adapters. Defaults follow each model family's reference predictor:
/// Ultralytics (conf 0.25, iou 0.7, max_det 300, mask logit &gt; 0) and torchvision's usual display threshold
/// (score ≥ 0.5, mask ≥ 0.5).
/// </summary>
public sealed record AdapterOptions
{
    /// <summary>Gets the default options.</summary>
    public static AdapterOptions Default { get; } = new();

    /// <summary>
    /// Gets the minimum score an instance needs, or null for the adapter's own default (0.25 for YOLO, compared
    /// with <c>&gt;</c> as Ultralytics does; 0.5 for R-CNN, compared with <c>≥</c>).
    /// </summary>
    public float? ConfidenceThreshold { get; init; }

    /// <summary>Gets the IoU above which NMS suppresses a box (YOLO only; R-CNN graphs run their own NMS).</summary>
    public float IouThreshold { get; init; } = 0.7f;

    /// <summary>Gets the most instances returned per frame.</summary>
    public int MaxDetections { get; init; } = 300;

    /// <summary>
    /// Gets the mask probability threshold. YOLO compares the mask logit with <c>log(t / (1 − t))</c> (0 for the
    /// default 0.5, which is Ultralytics' <c>logit &gt; 0</c>); R-CNN compares the soft mask with <c>≥ t</c>.
    /// </summary>
    public float MaskThreshold { get; init; } = 0.5f;

    /// <summary>Gets whether NMS ignores classes (Ultralytics' <c>agnostic_nms</c>).</summary>
    public bool ClassAgnosticNms { get; init; }

    /// <summary>
    /// Gets the long side of inputs that follow the frame's aspect ratio (MoveNet multipose), or null for the
    /// adapter's default (256; 512 finds small, distant people such as vtest.avi's pedestrians). A multiple of 32.
    /// </summary>
    public int? LongSide { get; init; }

    /// <summary>
    /// Gets RVM's <c>downsample_ratio</c>, or null to choose it from the frame size
    /// (see <see cref="RvmMatteAdapter.DownsampleRatioFor"/>). In (0, 1].
    /// </summary>
    public float? DownsampleRatio { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (LongSide is { } longSide && (longSide <= 0 || longSide % 32 != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(LongSide), longSide, "Must be a positive multiple of 32.");
        }

        if (DownsampleRatio is { } ratio && (float.IsNaN(ratio) || ratio <= 0 || ratio > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DownsampleRatio), ratio, "Must be in (0, 1].");
        }

        if (ConfidenceThreshold is { } conf && (float.IsNaN(conf) || conf < 0 || conf > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), conf, "Must be in [0, 1].");
        }

        if (float.IsNaN(IouThreshold) || IouThreshold < 0 || IouThreshold > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "Must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDetections);
        if (float.IsNaN(MaskThreshold) || MaskThreshold <= 0 || MaskThreshold >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaskThreshold), MaskThreshold, "Must be in (0, 1).");
        }
    }
}
