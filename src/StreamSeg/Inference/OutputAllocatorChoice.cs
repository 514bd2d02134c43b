using Microsoft.ML.OnnxRuntime.Tensors;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>Which outputs a model's runs read, and where they go (<see cref="IOutputAllocator"/>), decided once at load.</summary>
internal static class OutputAllocatorChoice
{
    /// <summary>
    /// Gets which outputs are read (by the adapter, or as recurrent state through <paramref name="recurrent"/>), and
    /// whether every read output is float (learned buffers are float: an integer output keeps the copying path).
    /// </summary>
    public static bool[] Needed(ModelSignature signature, IModelAdapter adapter, RecurrentStateBinder? recurrent, out bool learnable)
    {
        var needed = new bool[signature.Outputs.Count];
        learnable = true;
        for (int i = 0; i < needed.Length; i++)
        {
            needed[i] = adapter.NeedsOutput(i) || recurrent?.FeedsState(i) == true;
            learnable &= !needed[i] || signature.Outputs[i].ElementType == nameof(TensorElementType.Float);
        }

        return needed;
    }

    /// <summary>
    /// Chooses the allocator: preallocated when every output shape is static (or the rows of a free batch dimension,
    /// <paramref name="rowShapes"/>: a batch of one still gets preallocated outputs), learned when the shapes follow the
    /// input, else ONNX Runtime's with copies. <paramref name="preallocated"/> says whether every shape was static.
    /// </summary>
    public static IOutputAllocator Choose(ModelSignature signature, IModelAdapter adapter, string[] outputNames, long[][]? rowShapes, bool learnable, out bool preallocated)
    {
        long[][]? staticShapes = ModelShapeRules.StaticFloatShapes(signature);
        preallocated = staticShapes is not null;
        return (staticShapes ?? rowShapes) is long[][] shapes ? new StaticOutputAllocator(outputNames, shapes)
            : adapter.OutputShapesFollowInput && learnable ? new LearnedOutputAllocator()
            : new OrtOutputAllocator();
    }
}
