using StreamSeg.Import;
using StreamSeg.Inference;

namespace StreamSeg.Cli;

/// <summary>
/// Splits models for batching with StreamSeg.Import's <see cref="BatchGraphSplitter"/> (see <see cref="IBatchGraphSplitter"/>).
/// </summary>
internal sealed class GraphBatchSplitter : IBatchGraphSplitter
{
    /// <inheritdoc/>
    public ModelSplit Split(byte[] model, string inputName)
    {
        BatchGraphSplit split = BatchGraphSplitter.Split(model, inputName);
        return new ModelSplit(split.Backbone, split.Head, split.Description);
    }
}
