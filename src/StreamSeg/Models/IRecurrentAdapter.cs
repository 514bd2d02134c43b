namespace StreamSeg.Models;

/// <summary>
/// An adapter for a video model with recurrent state (RVM): besides the image it takes state inputs fed from its
/// own outputs on the previous frame of the same source, and constant extra inputs. The model runner
/// (<c>OnnxModel</c>) keeps one state per source (<c>RecurrentStateStore</c>), starts it at zeros and resets it on a
/// discontinuity, a new source or a change of frame size. Adapters stay free of ONNX Runtime types.
/// </summary>
public interface IRecurrentAdapter : IModelAdapter
{
    /// <summary>Gets the state inputs and the outputs that feed them.</summary>
    IReadOnlyList<RecurrentStatePair> States { get; }

    /// <summary>
    /// Gets the shape of the zero tensor fed to every state input on a source's first frame and after a reset
    /// (empty for a scalar 0, which the model broadcasts, as RVM's TF.js reference does).
    /// </summary>
    IReadOnlyList<long> InitialStateShape { get; }

    /// <summary>
    /// Gets the extra inputs (neither the image nor a state) for frames of the given size, for example RVM's
    /// <c>downsample_ratio</c>. Returns the same instances for the same size, so the runner can bind them once.
    /// </summary>
    IReadOnlyList<RawTensor> ExtraInputs(int frameWidth, int frameHeight);

    /// <summary>
    /// Gets the shape of state input <paramref name="index"/> for one frame of the given size once the model has run
    /// (the shape its state output has), or null when the adapter cannot tell. Known shapes let the runner start a
    /// state as zeros at its full shape, stack several sources' states into one batch, and give TensorRT the states'
    /// shape ranges.
    /// </summary>
    IReadOnlyList<long>? StateShape(int index, int frameWidth, int frameHeight) => null;
}
