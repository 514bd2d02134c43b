using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace StreamSeg.Inference;

/// <summary>
/// Chooses where each model's pooled input tensors live, by the provider the model actually runs on: CUDA pinned host
/// memory (<see cref="PinnedHostMemorySource"/>) for CUDA and TensorRT, so that uploads are asynchronous DMA; managed
/// arrays, exactly as before, for the CPU (and for a GPU session whose pinned allocator is not available, with the
/// reason). Logs one line per model at start-up.
/// </summary>
public sealed partial class InputMemorySelector
{
    private readonly PinnedHostMemorySource? _pinned;
    private readonly ILogger _logger;

    /// <summary>Creates the selector over <paramref name="pinned"/> (null: managed memory for every model).</summary>
    public InputMemorySelector(PinnedHostMemorySource? pinned, ILogger<InputMemorySelector>? logger = null)
    {
        _pinned = pinned;
        _logger = logger ?? NullLogger<InputMemorySelector>.Instance;
    }

    /// <summary>Gets whether a model on <paramref name="provider"/> (as <see cref="OnnxSessionFactory.ProviderName"/> names it) takes its inputs from pinned memory.</summary>
    public static bool WantsPinned(string provider) =>
        provider == OnnxSessionFactory.ProviderName(ExecutionDevice.Cuda) || provider == OnnxSessionFactory.ProviderName(ExecutionDevice.TensorRt);

    /// <summary>Gets the memory of each model's input tensors, in model order, and logs the choice.</summary>
    public IReadOnlyList<TensorMemory> For(IReadOnlyList<OnnxModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var memories = new TensorMemory[models.Count];
        for (int i = 0; i < memories.Length; i++)
        {
            memories[i] = For(Path.GetFileName(models[i].Path), models[i].Provider, models[i].Input);
        }

        return memories;
    }

    /// <summary>Gets the memory for the input tensors of a model on <paramref name="provider"/> fed <paramref name="input"/>, and logs it.</summary>
    public TensorMemory For(string model, string provider, InputSpec input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string what = input.LongSide > 0 ? $"input long side {input.LongSide}" : input.NativeSize ? "input at the frame's size" : $"input {input.Width}x{input.Height}";
        if (!WantsPinned(provider))
        {
            LogManaged(_logger, model, what, provider);
            return TensorMemory.Managed;
        }

        if (_pinned?.Memory is TensorMemory pinned)
        {
            LogPinned(_logger, model, what, pinned.Name, provider);
            return pinned;
        }

        LogNoPinned(_logger, model, what, provider, _pinned?.UnavailableReason ?? "no GPU session made it");
        return TensorMemory.Managed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "model '{Model}' ({Input}): input tensors pooled in {Memory} memory, per shape, reused (provider {Provider})")]
    private static partial void LogPinned(ILogger logger, string model, string input, string memory, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "model '{Model}' ({Input}): input tensors pooled in managed memory (provider {Provider})")]
    private static partial void LogManaged(ILogger logger, string model, string input, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "model '{Model}' ({Input}): input tensors pooled in managed memory: provider {Provider} has no CUDA pinned allocator ({Reason})")]
    private static partial void LogNoPinned(ILogger logger, string model, string input, string provider, string reason);
}
