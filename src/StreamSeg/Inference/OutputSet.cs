using Microsoft.ML.OnnxRuntime;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// One preallocated float buffer per model output, each with an <see cref="OrtValue"/> over it created once, so that
/// ONNX Runtime writes a run's outputs in place. Rented from an <see cref="OutputSetPool"/>.
/// </summary>
internal sealed class OutputSet : IDisposable
{
    /// <summary>Creates buffers of <paramref name="shapes"/> that go back to <paramref name="home"/>.</summary>
    public OutputSet(string[] names, long[][] shapes, OutputSetPool home)
    {
        Values = new OrtValue[names.Length];
        Tensors = new RawTensor[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            long count = 1;
            foreach (long d in shapes[i])
            {
                count *= d;
            }

            float[] data = new float[count];
            Values[i] = OrtValue.CreateTensorValueFromMemory(data, shapes[i]);
            Tensors[i] = new RawTensor(names[i], shapes[i], data);
        }

        // Created once per set, not per frame; ModelOutput calls it at most once per lease.
        Release = _ => home.Return(this);
    }

    /// <summary>Gets the values bound as outputs, in the model's order.</summary>
    public OrtValue[] Values { get; }

    /// <summary>Gets the same buffers as tensors for the adapter.</summary>
    public RawTensor[] Tensors { get; }

    /// <summary>Gets the release callback of a <see cref="ModelOutput"/> that holds the whole set.</summary>
    public Action<ModelOutput> Release { get; }

    /// <summary>Releases the values.</summary>
    public void Dispose()
    {
        foreach (OrtValue v in Values)
        {
            v.Dispose();
        }
    }
}
