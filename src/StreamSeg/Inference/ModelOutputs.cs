namespace StreamSeg.Inference;

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
