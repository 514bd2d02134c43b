namespace StreamSeg.Import;

/// <summary>
/// What <see cref="BatchGraphSplitter"/> made of a model: a batched part (the input to the cut tensors, batch
/// dimension free) and a per-frame part (the cut tensors at batch 1 to the model's outputs), or why it could not.
/// </summary>
/// <param name="Backbone">The batched part's ONNX bytes, or null when the model was not split.</param>
/// <param name="Head">The per-frame part's ONNX bytes, or null when the model was not split.</param>
/// <param name="Cut">The tensors the batched part outputs and the per-frame part takes, in the per-frame part's input order.</param>
/// <param name="Description">How the model was split (node counts of each part), or why it was not.</param>
public sealed record BatchGraphSplit(byte[]? Backbone, byte[]? Head, IReadOnlyList<string> Cut, string Description)
{
    /// <summary>Gets whether the model was split.</summary>
    public bool IsSplit => Backbone is not null && Head is not null;

    /// <summary>A model that was not split, and why.</summary>
    public static BatchGraphSplit NotSplit(string reason) => new(null, null, [], reason);
}
