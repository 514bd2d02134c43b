namespace StreamSeg.Inference;

/// <summary>
/// Splits a model whose graph fixes the batch at 1 only after a batch-agnostic part (MoveNet MultiPose: the backbone
/// and heads are, the post-processing is not) into a batched part and a per-frame part (<see cref="ModelSplit"/>), so
/// that <see cref="OnnxModel"/> can run several streams' frames through the heavy part at once. Implemented where ONNX
/// graphs can be edited (the CLI, with StreamSeg.Import's BatchGraphSplitter).
/// </summary>
public interface IBatchGraphSplitter
{
    /// <summary>Splits <paramref name="model"/> (ONNX bytes) at its image input <paramref name="inputName"/>, or says why it cannot.</summary>
    ModelSplit Split(byte[] model, string inputName);
}
