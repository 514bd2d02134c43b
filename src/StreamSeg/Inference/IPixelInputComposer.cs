using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// Rewrites a model so that its image input takes the resized frame as uint8 BGR <c>[N,H,W,3]</c> and the model
/// itself does what the model's <see cref="InputSpec"/> describes (cast, channel order, scale, layout, element type) on its own
/// device: a quarter of the bytes cross to the GPU, and the conversion runs there. Implemented where ONNX graphs
/// can be edited (the CLI, with StreamSeg.Import's PreprocessGraphComposer).
/// </summary>
public interface IPixelInputComposer
{
    /// <summary>Returns the bytes of <paramref name="model"/> with the preprocessing of <paramref name="spec"/> prepended to input <c>spec.Name</c>.</summary>
    /// <param name="model">The ONNX model's bytes.</param>
    /// <param name="spec">What the model's image input wants.</param>
    byte[] Compose(byte[] model, InputSpec spec);
}
