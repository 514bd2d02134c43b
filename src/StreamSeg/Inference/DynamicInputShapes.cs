using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// The shapes a model's dynamic inputs take for a frame size and a batch, as the runs feed them: the image input as
/// the preprocess stage writes it, a recurrent model's states at the shape its adapter computes. What TensorRT shape
/// profiles are made from (<see cref="TensorRtProfile"/>).
/// </summary>
internal static class DynamicInputShapes
{
    /// <summary>
    /// Gets the shapes of the dynamic inputs of a model (<paramref name="signature"/>, <paramref name="adapter"/>, fed
    /// <paramref name="input"/>) for <paramref name="batch"/> frames of <paramref name="size"/>; empty when an input's
    /// shape cannot be told (no profile is made then) or none is dynamic. Inputs declared static, and extra inputs
    /// declared at their real rank (RVM's scalar ratio), are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, long[]> At(ModelSignature signature, IModelAdapter adapter, InputSpec input, FrameSize size, int batch)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (TensorSignature declared in signature.Inputs)
        {
            bool dynamic = declared.Shape.Length == 0 || Array.Exists(declared.Shape, d => d <= 0);
            long[] shape;
            if (declared.Name == adapter.Input.Name)
            {
                shape = TensorWriter.ShapeFor(input, size.Width, size.Height);
            }
            else if (adapter is IRecurrentAdapter recurrent && recurrent.States.ToList().FindIndex(p => p.Input == declared.Name) is int state and >= 0)
            {
                if (recurrent.StateShape(state, size.Width, size.Height) is not IReadOnlyList<long> stateShape)
                {
                    return new Dictionary<string, long[]>();
                }

                shape = [.. stateShape];
            }
            else if (!dynamic || (adapter is IRecurrentAdapter extras && extras.ExtraInputs(size.Width, size.Height).Any(t => t.Name == declared.Name && t.Shape.Length == declared.Shape.Length)))
            {
                // Static inputs, and extra inputs whose declared rank is their real one (scalars), need no range.
                continue;
            }
            else
            {
                return new Dictionary<string, long[]>();
            }

            if (shape.Length == 0 || !dynamic)
            {
                continue;
            }

            shape[0] = batch;
            shapes[declared.Name] = shape;
        }

        return shapes;
    }
}
