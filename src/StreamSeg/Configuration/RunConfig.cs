namespace StreamSeg.Configuration;

/// <summary>
/// The settings of one <c>streamseg run</c>, as a YAML config file spells them (snake_case keys). Command-line flags
/// override the file. Unknown keys and values of the wrong type are refused by <see cref="RunConfigLoader"/>.
/// </summary>
public sealed class RunConfig
{
    /// <summary>Gets or sets the sources.</summary>
    public List<SourceConfig> Sources { get; set; } = [];

    /// <summary>Gets or sets the segmentation (or detection/pose) model path.</summary>
    public string? Model { get; set; }

    /// <summary>Gets or sets a pose model run on the same frames, merged with <see cref="Model"/>.</summary>
    public string? PoseModel { get; set; }

    /// <summary>
    /// Gets or sets the preset used when no model is named: <c>people</c> (MoveNet MultiPose keypoints and boxes +
    /// Robust Video Matting split into one mask per person), from the models folder.
    /// </summary>
    public string Preset { get; set; } = "people";

    /// <summary>Gets or sets an extra detector for the people preset: <c>none</c> or <c>centernet</c> (boxes of the other COCO classes).</summary>
    public string Detector { get; set; } = "none";

    /// <summary>
    /// Gets or sets the long side of MoveNet's input in the people preset: one size, or several separated by commas,
    /// each a multiple of 32 (default <c>512,256</c>: 512 finds small, far people, 256 — the size MoveNet was trained
    /// at — people who fill the frame; several sizes each run the model and their people are merged).
    /// </summary>
    public string PoseSize { get; set; } = "512,256";

    /// <summary>Gets the sizes of <see cref="PoseSize"/>, in the order given (empty when it does not parse; <see cref="RunConfigLoader.Validate"/> refuses that).</summary>
    public IReadOnlyList<int> PoseSizes => ParsePoseSizes(PoseSize) ?? [];

    /// <summary>Gets or sets the folder of the preset's models (default: $STREAMSEG_MODELS or ./models).</summary>
    public string? ModelsDir { get; set; }

    /// <summary>Gets or sets the adapter of <see cref="Model"/>: <c>auto</c> or an adapter name.</summary>
    public string Adapter { get; set; } = "auto";

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>tensorrt</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Gets or sets ONNX Runtime's intra-op threads (0 = one per core). When models run side by side
    /// (<see cref="ModelConcurrency"/>) this is the budget they share: each gets its part, at least one.
    /// </summary>
    public int Threads { get; set; }

    /// <summary>
    /// Gets or sets how many of a frame's models run at once: 1 runs them one after another (each with every intra-op
    /// thread); 0 (default) runs them side by side on one lane per distinct model, at most one lane per thread of the
    /// budget (<see cref="Threads"/>, else the cores), each with its share of the threads; n caps the lanes at n.
    /// </summary>
    public int ModelConcurrency { get; set; }

    /// <summary>
    /// Gets or sets how many workers preprocess frames (resize and tensor conversion), each source's frames staying in
    /// order: 0 (default) = one per source, at most half the cores and 8; n sets it (more than the sources is pointless).
    /// </summary>
    public int PreprocessWorkers { get; set; }

    /// <summary>
    /// Gets or sets the most frames one inference run takes (cross-stream batching; models with a free batch
    /// dimension only). 0 = automatic: one per source, at most 8 (a single source runs frame by frame).
    /// </summary>
    public int Batch { get; set; }

    /// <summary>
    /// Gets or sets how frames reach the models: <c>auto</c> (uint8 when a GPU provider loads, else float),
    /// <c>uint8</c> (resized BGR bytes; each model gets its pixel preprocessing prepended as a graph) or <c>float</c>
    /// (the model's input tensor made on the CPU).
    /// </summary>
    public string Upload { get; set; } = "auto";

    /// <summary>Gets or sets the folder TensorRT engines are cached in (one sub-folder per model, GPU and versions).</summary>
    public string EngineCache { get; set; } = "models/cache/tensorrt";

    /// <summary>Gets or sets the annotated MP4 path (none when null).</summary>
    public string? Out { get; set; }

    /// <summary>Gets or sets the NDJSON metadata path (none when null).</summary>
    public string? Meta { get; set; }

    /// <summary>Gets or sets the RTSP URL the annotated video is pushed to (none when null).</summary>
    public string? Publish { get; set; }

    /// <summary>Gets or sets the RTSP transport of <see cref="Publish"/>: <c>udp</c> or <c>tcp</c>.</summary>
    public string PublishTransport { get; set; } = "udp";

    /// <summary>Gets or sets the address of the live web view, e.g. <c>127.0.0.1:8080</c> (none when null).</summary>
    public string? Http { get; set; }

    /// <summary>Gets or sets the MQTT broker URL that per-frame metadata is published to (none when null).</summary>
    public string? Mqtt { get; set; }

    /// <summary>Gets or sets whether to show a window when a display exists.</summary>
    public bool Show { get; set; }

    /// <summary>Gets or sets the confidence threshold (null: the adapter's default, 0.25 for YOLO and 0.5 for R-CNN).</summary>
    public float? Confidence { get; set; }

    /// <summary>Gets or sets the NMS IoU threshold.</summary>
    public float Iou { get; set; } = 0.7f;

    /// <summary>Gets or sets the maximum number of frames per source to process (0 = all).</summary>
    public long MaxFrames { get; set; }

    /// <summary>Gets or sets whether a live source that stalls or fails is reopened (with backoff) instead of ending.</summary>
    public bool Reconnect { get; set; } = true;

    /// <summary>Gets or sets how many reopen attempts in a row are made before giving up (0 = forever).</summary>
    public int ReconnectAttempts { get; set; }

    /// <summary>Gets or sets the seconds without a frame after which a live source counts as stalled.</summary>
    public float StallTimeout { get; set; } = 5;

    /// <summary>Gets or sets the seconds between stats lines in the log (0 = none); used by soak runs.</summary>
    public float ReportEvery { get; set; }

    /// <summary>Gets or sets whether files are read at their own frame rate (a live-like run).</summary>
    public bool Pace { get; set; }

    /// <summary>
    /// Gets or sets whether tracking is on: true or false for every source; null (default) tracks videos, cameras and
    /// streams and leaves image folders (stills) untracked.
    /// </summary>
    public bool? Track { get; set; }

    /// <summary>
    /// Gets or sets the score at and above which a detection is matched first and may start a track (ByteTrack's
    /// high threshold); null: 0.5 for named models (Ultralytics' default), 0.25 for the people preset, whose MoveNet
    /// person scores are lower.
    /// </summary>
    public float? TrackThreshold { get; set; }

    /// <summary>
    /// Gets or sets whether the keypoints of each track are smoothed over time (One Euro filter, MediaPipe's settings);
    /// null: on for video files, cameras and streams, off for image folders (whose frames are not a motion).
    /// </summary>
    public bool? Smooth { get; set; }

    /// <summary>Gets or sets the format of the log lines on standard error: <c>text</c> (<c>streamseg: info: …</c>) or <c>json</c> (one object per line).</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>Gets or sets the overlay switches.</summary>
    public OverlayConfig Overlay { get; set; } = new();

    /// <summary>Gets or sets whether <c>serve</c> joins a cluster (<c>--cluster</c>); the keys below need it. <c>run</c> ignores these keys.</summary>
    public bool Cluster { get; set; }

    /// <summary>Gets or sets the cluster port of a <c>serve</c> node (<c>--cluster-port</c>).</summary>
    public int? ClusterPort { get; set; }

    /// <summary>Gets or sets the address a <c>serve</c> node binds and advertises in its cluster (<c>--cluster-host</c>).</summary>
    public string? ClusterHost { get; set; }

    /// <summary>Gets or sets the cluster's seed nodes as <c>host:port</c> (<c>--seed</c>).</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>Gets or sets the cluster's failure-handling timing: <c>production</c> or <c>loopback</c> (<c>--cluster-timing</c>).</summary>
    public string? ClusterTiming { get; set; }

    /// <summary>Gets or sets how the cluster is found instead of seeds: <c>kubernetes</c> or <c>config</c> (<c>--cluster-bootstrap</c>).</summary>
    public string? ClusterBootstrap { get; set; }

    /// <summary>Gets or sets how many nodes bootstrap must discover first (<c>--bootstrap-contact-points</c>).</summary>
    public int? BootstrapContactPoints { get; set; }

    /// <summary>Gets or sets the nodes' cluster endpoints for <c>cluster_bootstrap: config</c> (<c>--bootstrap-endpoint</c>).</summary>
    public List<string> BootstrapEndpoints { get; set; } = [];

    /// <summary>Parses a <see cref="PoseSize"/> value (<c>512</c>, <c>512,256</c>); null when a part is not a whole number.</summary>
    public static int[]? ParsePoseSizes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]))
            {
                return null;
            }
        }

        return sizes;
    }
}

/// <summary>One source in a config file.</summary>
public sealed class SourceConfig
{
    /// <summary>Gets or sets the file, <c>camera:N</c>, <c>/dev/videoN</c>, folder or URL.</summary>
    public string Uri { get; set; } = string.Empty;

    /// <summary>Gets or sets the id used in metadata (defaults to the file name or redacted URL).</summary>
    public string? Id { get; set; }

    /// <summary>Gets or sets the RTSP transport: <c>auto</c> (TCP, then UDP if the server refuses TCP), <c>tcp</c> or <c>udp</c>.</summary>
    public string RtspTransport { get; set; } = "auto";

    /// <summary>Gets or sets whether a file source loops (a simulated live source).</summary>
    public bool Loop { get; set; }
}

/// <summary>What the overlay draws.</summary>
public sealed class OverlayConfig
{
    /// <summary>Gets or sets whether masks are drawn.</summary>
    public bool Masks { get; set; } = true;

    /// <summary>Gets or sets whether boxes are drawn.</summary>
    public bool Boxes { get; set; } = true;

    /// <summary>Gets or sets whether labels (class, score, track id) are drawn.</summary>
    public bool Labels { get; set; } = true;

    /// <summary>Gets or sets whether skeletons and keypoints are drawn.</summary>
    public bool Keypoints { get; set; } = true;

    /// <summary>Gets or sets whether the HUD (fps, latency, drops) is drawn.</summary>
    public bool Hud { get; set; } = true;

    /// <summary>Gets or sets the mask opacity, 0..1.</summary>
    public float MaskAlpha { get; set; } = 0.45f;

    /// <summary>Gets or sets the keypoint confidence below which a keypoint is not drawn.</summary>
    public float KeypointThreshold { get; set; } = 0.3f;
}
