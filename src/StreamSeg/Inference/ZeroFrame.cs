using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>A model input of zeros for a frame size, as the preprocess stage would shape it: what warm-up runs and shape probes feed.</summary>
internal static class ZeroFrame
{
    /// <summary>Creates an unpooled zero tensor for <paramref name="input"/> and a frame of the given size, with its transform; the caller disposes it.</summary>
    public static PooledTensor For(InputSpec input, int frameWidth, int frameHeight)
    {
        PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(input, frameWidth, frameHeight), TensorWriter.ElementFor(input));
        tensor.Transform = TensorWriter.TransformFor(input, frameWidth, frameHeight);
        return tensor;
    }
}
