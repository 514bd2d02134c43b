using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Inference;

/// <summary>
/// A session with its IOBinding and run options, created once per model: what the output allocators, the
/// recurrent-state binder and the batch runner bind to and run. Knows which outputs the adapter (or the recurrent
/// state) reads, so that the others are not fetched.
/// </summary>
/// <remarks>
/// Not thread-safe: the binding holds one run's inputs and outputs, so one worker runs a model at a time. Each model
/// has its own, so models may run on workers of their own.
/// </remarks>
internal sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly bool[] _needed;

    /// <summary>Wraps <paramref name="session"/> (taking ownership); <paramref name="needed"/> flags the outputs that are read.</summary>
    public ModelSession(InferenceSession session, string[] outputNames, bool[] needed)
    {
        _session = session;
        OutputNames = outputNames;
        _needed = needed;
        _binding = session.CreateIoBinding();
    }

    /// <summary>Gets the output names, in the model's order.</summary>
    public string[] OutputNames { get; }

    /// <summary>Gets whether output <paramref name="index"/> is read (by the adapter or as recurrent state).</summary>
    public bool IsNeeded(int index) => _needed[index];

    /// <summary>Binds <paramref name="value"/> to the input <paramref name="name"/> until it is bound again.</summary>
    public void BindInput(string name, OrtValue value) => _binding.BindInput(name, value);

    /// <summary>Binds the outputs to <paramref name="values"/> (model order): every one, or only those that are read.</summary>
    public void BindOutputs(IReadOnlyList<OrtValue> values, bool neededOnly)
    {
        // Cleared first: an earlier run may have bound other outputs, or bound them elsewhere.
        _binding.ClearBoundOutputs();
        for (int i = 0; i < OutputNames.Length; i++)
        {
            if (!neededOnly || _needed[i])
            {
                _binding.BindOutput(OutputNames[i], values[i]);
            }
        }
    }

    /// <summary>Lets ONNX Runtime allocate the outputs (every one, or only those that are read) on the CPU.</summary>
    public void BindOutputsToCpu(bool neededOnly)
    {
        _binding.ClearBoundOutputs();
        for (int i = 0; i < OutputNames.Length; i++)
        {
            if (!neededOnly || _needed[i])
            {
                _binding.BindOutputToDevice(OutputNames[i], OrtMemoryInfo.DefaultInstance);
            }
        }
    }

    /// <summary>Runs the model on what is bound.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>Gets the outputs ONNX Runtime allocated in the last run, in binding order; the caller disposes them.</summary>
    public IDisposableReadOnlyCollection<OrtValue> GetOutputValues() => _binding.GetOutputValues();

    /// <summary>Releases the binding, the run options and the session.</summary>
    public void Dispose()
    {
        _binding.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
