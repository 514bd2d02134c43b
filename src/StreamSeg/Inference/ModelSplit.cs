namespace StreamSeg.Inference;

/// <summary>
/// A model split for batching (<see cref="IBatchGraphSplitter"/>): the batched part takes the stacked frames (first
/// dimension free) and outputs the cut tensors; the per-frame part takes one frame's rows of them (batch 1) and gives
/// the model's outputs. Or, when the model cannot be split, why.
/// </summary>
/// <param name="Backbone">The batched part's ONNX bytes, or null when the model was not split.</param>
/// <param name="Head">The per-frame part's ONNX bytes, or null when the model was not split.</param>
/// <param name="Description">How the model was split, or why it was not (for the start-up log).</param>
public sealed record ModelSplit(byte[]? Backbone, byte[]? Head, string Description)
{
    /// <summary>Gets whether the model was split.</summary>
    public bool IsSplit => Backbone is not null && Head is not null;
}
