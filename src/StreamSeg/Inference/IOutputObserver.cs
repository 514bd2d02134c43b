using Microsoft.ML.OnnxRuntime;

namespace StreamSeg.Inference;

/// <summary>
/// Sees a run's outputs before they are handed out or freed: how a recurrent model's state outputs are carried to the
/// source's next frame (<see cref="RecurrentStateBinder"/>).
/// </summary>
internal interface IOutputObserver
{
    /// <summary>
    /// Called once after each successful run with its outputs in the model's order (null for an output not fetched);
    /// the values are valid only during the call.
    /// </summary>
    void OnOutputs(IReadOnlyList<OrtValue?> outputs);
}
