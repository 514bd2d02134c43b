using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>What a model's declared shapes allow, read once at load: batching across streams and preallocated outputs.</summary>
internal static class ModelShapeRules
{
    /// <summary>
    /// Gets whether the model can run batches: a single image input whose first dimension is free, every output with a
    /// free first dimension, and no recurrent state; <paramref name="rowShapes"/> are the outputs' shapes for one frame
    /// when all of them are static floats (null otherwise: the rows are copied out).
    /// </summary>
    public static bool BatchRowShapes(ModelSignature signature, bool recurrent, out long[][]? rowShapes)
    {
        rowShapes = null;
        if (recurrent || signature.Inputs.Count != 1 || signature.Inputs[0].Shape is not { Length: 4 } input || input[0] > 0)
        {
            return false;
        }

        var rows = new long[signature.Outputs.Count][];
        bool staticRows = true;
        for (int i = 0; i < rows.Length; i++)
        {
            TensorSignature o = signature.Outputs[i];
            if (o.Shape.Length == 0 || o.Shape[0] > 0)
            {
                return false;
            }

            rows[i] = [1, .. o.Shape.AsSpan(1)];
            staticRows &= o.ElementType == nameof(TensorElementType.Float) && Array.TrueForAll(rows[i], d => d > 0);
        }

        rowShapes = staticRows ? rows : null;
        return true;
    }

    /// <summary>
    /// Gets whether a recurrent model's graph takes batches: its image input has rank 4 with a free first dimension, and
    /// every output's first dimension is free (or its rank unknown, as TF.js imports declare them).
    /// </summary>
    public static bool RecurrentBatches(ModelSignature signature, string imageInput)
    {
        TensorSignature? image = signature.Inputs.FirstOrDefault(t => t.Name == imageInput);
        return image is { Shape: { Length: 4 } shape } && shape[0] <= 0 && signature.Outputs.All(o => o.Shape.Length == 0 || o.Shape[0] <= 0);
    }

    /// <summary>Gets the output shapes when every output is a float tensor of static shape; otherwise null.</summary>
    public static long[][]? StaticFloatShapes(ModelSignature signature)
    {
        var shapes = new long[signature.Outputs.Count][];
        for (int i = 0; i < shapes.Length; i++)
        {
            TensorSignature o = signature.Outputs[i];
            // An empty shape is how ONNX Runtime reports an output of unknown rank (as well as a true scalar): treat it
            // as dynamic rather than preallocating a scalar that the run would not fit.
            if (o.ElementType != nameof(TensorElementType.Float) || o.Shape.Length == 0 || Array.Exists(o.Shape, d => d <= 0))
            {
                return null;
            }

            shapes[i] = o.Shape;
        }

        return shapes;
    }
}
