using StreamSeg.Import;
using StreamSeg.Inference;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary>
/// Prepends the pixel preprocessing of a model's <see cref="InputSpec"/> to the model with StreamSeg.Import's
/// <see cref="PreprocessGraphComposer"/>, so that the session takes uint8 BGR pixels (see <see cref="IPixelInputComposer"/>).
/// </summary>
internal sealed class GraphPixelInputComposer : IPixelInputComposer
{
    /// <inheritdoc/>
    public byte[] Compose(byte[] model, InputSpec spec) =>
        new PreprocessGraphComposer(PixelPreprocessMapping.FromInputSpec(spec)).Prepend(model);
}
