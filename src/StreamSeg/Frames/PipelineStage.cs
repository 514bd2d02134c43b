namespace StreamSeg.Frames;

/// <summary>The stages of the pipeline, in order; used to index per-stage timings and metrics.</summary>
public enum PipelineStage
{
    /// <summary>Reading and decoding a frame from its source.</summary>
    Capture,

    /// <summary>Letterbox/resize into the model input tensor.</summary>
    Preprocess,

    /// <summary>Running the model(s).</summary>
    Inference,

    /// <summary>Turning raw model outputs into instances.</summary>
    Decode,

    /// <summary>Assigning track ids.</summary>
    Tracking,

    /// <summary>Drawing masks, boxes, skeletons and the HUD.</summary>
    Overlay,

    /// <summary>Writing to the sinks.</summary>
    Sink,
}

/// <summary>Helpers for <see cref="PipelineStage"/>.</summary>
public static class PipelineStageInfo
{
    /// <summary>The number of stages.</summary>
    public const int Count = 7;

    private static readonly string[] s_names = ["capture", "preprocess", "inference", "decode", "tracking", "overlay", "sink"];

    /// <summary>Gets the lower-case name of a stage.</summary>
    public static string Name(PipelineStage stage) => s_names[(int)stage];
}
