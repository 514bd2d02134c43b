using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Knows one family of models: what input it wants and how to turn its raw outputs into <see cref="Instances"/>
/// in frame coordinates. Created by <see cref="ModelAdapterFactory"/> from a model's signature.
/// </summary>
public interface IModelAdapter
{
    /// <summary>Gets the adapter's name as the <c>--adapter</c> flag spells it (for example <c>yolo-seg</c>).</summary>
    string Name { get; }

    /// <summary>Gets what the model produces.</summary>
    ModelTask Task { get; }

    /// <summary>Gets the class names (index = class id).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Gets the image input the model wants.</summary>
    InputSpec Input { get; }

    /// <summary>
    /// Decodes the raw outputs (in the model's output order) of one frame into instances in frame coordinates.
    /// </summary>
    /// <param name="outputs">The raw outputs, in the model's output order.</param>
    /// <param name="transform">How the frame was placed into the input.</param>
    Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform);

    /// <summary>
    /// Gets whether decoding (or the model's recurrent state) reads output <paramref name="index"/>. An output nobody
    /// reads is not fetched: it is neither copied off the GPU nor into managed memory, and its place in the outputs
    /// handed to <see cref="Decode"/> holds an empty tensor. All outputs by default.
    /// </summary>
    bool NeedsOutput(int index) => true;

    /// <summary>
    /// Gets whether the model's output shapes depend only on its input shape (and the frame size), never on the
    /// content: then, after the first frame of a size, outputs are written straight into buffers preallocated for it,
    /// with no allocation or copy per frame. False by default (a detector's output count may follow the content).
    /// </summary>
    bool OutputShapesFollowInput => false;
}
