using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>The raw outputs of one model for one frame, with the transform of its input. Disposing returns the buffers.</summary>
public sealed class ModelOutput : IDisposable
{
    private Action<ModelOutput>? _release;

    /// <summary>Creates the output; <paramref name="release"/> is called once, on the first dispose, to return the buffers.</summary>
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

    /// <summary>Returns the buffers; a second call does nothing (the buffers may already be another output's).</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke(this);

    /// <summary>Disposes each output of <paramref name="outputs"/> that was made (null entries are skipped).</summary>
    internal static void DisposeAll(ReadOnlySpan<ModelOutput?> outputs)
    {
        foreach (ModelOutput? output in outputs)
        {
            output?.Dispose();
        }
    }
}
