namespace StreamSeg.Evaluation.Mot;

/// <summary>Settings of a <see cref="MotEvaluator"/>.</summary>
public sealed record MotEvaluatorOptions
{
    /// <summary>Gets how ground-truth rows are filtered (default <see cref="MotGtPreprocessing.Mot15"/>: all rows but zero-marked GT).</summary>
    public MotGtPreprocessing Preprocessing { get; init; } = MotGtPreprocessing.Mot15;

    /// <summary>Gets the IoU a pair needs to match for CLEAR MOT and identity metrics (default 0.5, as both tools).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>
    /// Gets the sequence length in frames (seqinfo.ini's <c>seqLength</c>); null takes the last frame number present in
    /// either file. Only <c>CLR_Frames</c> and <c>FP_per_frame</c> depend on it.
    /// </summary>
    public int? SequenceLength { get; init; }
}
