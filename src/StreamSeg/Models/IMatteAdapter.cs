using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// An adapter for a model whose result is one alpha map for the whole frame (person segmentation, video matting)
/// rather than instances. Its <see cref="IModelAdapter.Decode"/> returns <see cref="Instances.Empty"/>; the decode
/// stage calls <see cref="DecodeMatte"/> and attaches the result to the frame.
/// </summary>
public interface IMatteAdapter : IModelAdapter
{
    /// <summary>Decodes the raw outputs (model order) of one frame into a matte; the caller owns and disposes it.</summary>
    /// <param name="outputs">The raw outputs, in the model's output order.</param>
    /// <param name="transform">How the frame was placed into the input.</param>
    Matte DecodeMatte(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform);
}
