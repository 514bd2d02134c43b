using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>The raw outputs of one model for one frame, with the transform of its input. Disposing returns the buffers.</summary>
public sealed class ModelOutput : IDisposable
{
    private readonly Action<ModelOutput>? _release;

    /// <summary>Creates the output; <paramref name="release"/> is called once on dispose to return the buffers.</summary>
    public ModelOutput(RawTensor[] tensors, LetterboxTransform transform, Action<ModelOutput>? release)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Tensors = tensors;
        Transform = transform;
        _release = release;
    }

    /// <summary>Gets the tensors in the model's output order.</summary>
    public RawTensor[] Tensors { get; }

    /// <summary>Gets how the frame was placed into the model input.</summary>
    public LetterboxTransform Transform { get; }

    /// <summary>Returns the buffers.</summary>
    public void Dispose() => _release?.Invoke(this);
}

/// <summary>The outputs of every model for one frame (model order); owned by the frame until decoded.</summary>
public sealed class ModelOutputs : IDisposable
{
    /// <summary>Creates the set; takes ownership of <paramref name="outputs"/>.</summary>
    public ModelOutputs(ModelOutput[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        Outputs = outputs;
    }

    /// <summary>Gets the outputs, one per model.</summary>
    public ModelOutput[] Outputs { get; }

    /// <summary>Returns every buffer.</summary>
    public void Dispose()
    {
        foreach (ModelOutput output in Outputs)
        {
            output.Dispose();
        }
    }
}
