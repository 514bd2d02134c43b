using Microsoft.ML.OnnxRuntime;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// Outputs of shapes known only after the run (R-CNN exports, a free anchor count): ONNX Runtime allocates them and
/// they are copied into rented float arrays (<see cref="OutputConversion"/>), returned when the output is disposed.
/// Only the outputs that are read are fetched (RVM's full-resolution foreground colours are not).
/// </summary>
internal sealed class OrtOutputAllocator : IOutputAllocator
{
    /// <inheritdoc/>
    public ModelOutput Run(ModelSession session, PooledTensor input, IOutputObserver? observer)
    {
        string[] names = session.OutputNames;
        session.BindOutputsToCpu(neededOnly: true);
        session.Run();
        using IDisposableReadOnlyCollection<OrtValue> values = session.GetOutputValues();
        var byOutput = new OrtValue?[names.Length];
        for (int i = 0, k = 0; i < byOutput.Length; i++)
        {
            byOutput[i] = session.IsNeeded(i) ? values[k++] : null;
        }

        observer?.OnOutputs(byOutput);
        var tensors = new RawTensor[byOutput.Length];
        try
        {
            for (int i = 0; i < byOutput.Length; i++)
            {
                tensors[i] = byOutput[i] is OrtValue value ? OutputConversion.CopyToRented(names[i], value) : new RawTensor(names[i], [0], Memory<float>.Empty);
            }
        }
        catch
        {
            OutputConversion.ReturnRented(tensors);
            throw;
        }

        return new ModelOutput(tensors, input.Transform, OutputConversion.ReleaseRented);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
