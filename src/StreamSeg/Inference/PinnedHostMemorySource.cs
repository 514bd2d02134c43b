using Microsoft.ML.OnnxRuntime;
using StreamSeg.Memory;

namespace StreamSeg.Inference;

/// <summary>
/// CUDA pinned (page-locked) host memory for model input tensors, taken once from the first CUDA or TensorRT session
/// the factory creates: ONNX Runtime's <c>CudaPinned</c> allocator of that session (<see cref="OrtAllocator"/> over
/// <see cref="OrtMemoryInfo.allocatorCUDA_PINNED"/>), wrapped as a <see cref="TensorMemory"/>.
/// </summary>
/// <remarks>
/// <para>A bound CPU input of a GPU session is copied to the GPU when it is bound: from pageable memory CUDA copies it
/// synchronously through a staging buffer; from pinned memory the copy is one asynchronous DMA on the copy stream
/// (the CUDA provider's <c>do_copy_in_default_stream</c>, set by <see cref="OnnxSessionFactory"/>, orders it before
/// the run's kernels). Page-locked memory is a process-wide resource, usable as input to any session on the machine's
/// GPUs, so one allocator serves every model.</para>
/// <para>The allocator object holds ONNX Runtime's allocator by shared ownership, so it stays valid when the session it
/// came from is replaced (a TensorRT profile) or disposed; it is released once the memory is disposed and its last
/// buffer freed (<see cref="OrtAllocatorTensorMemory"/>).</para>
/// </remarks>
public sealed class PinnedHostMemorySource : IDisposable
{
    private readonly int _deviceId;
    private OrtAllocatorTensorMemory? _memory;

    /// <summary>Creates the source for GPU <paramref name="deviceId"/>; nothing is allocated until a GPU session exists.</summary>
    public PinnedHostMemorySource(int deviceId)
        : this(deviceId, null)
    {
    }

    /// <summary>Creates the source with <paramref name="memory"/> already taken (tests: a selector without a GPU).</summary>
    internal PinnedHostMemorySource(int deviceId, OrtAllocatorTensorMemory? memory)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        _deviceId = deviceId;
        _memory = memory;
    }

    /// <summary>Gets the pinned memory, or null when no GPU session was created or its allocator was not available.</summary>
    public TensorMemory? Memory => _memory;

    /// <summary>Gets why pinned memory is not available, or null (available, or no GPU session yet).</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>Takes the pinned allocator of <paramref name="session"/> (a CUDA or TensorRT session) the first time one comes.</summary>
    public void OnGpuSession(InferenceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_memory is not null || UnavailableReason is not null)
        {
            return;
        }

        try
        {
            using var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, _deviceId, OrtMemType.CpuOutput);
            _memory = new OrtAllocatorTensorMemory(new OrtAllocator(session, info), "CUDA pinned host", pinned: true, ownsAllocator: true);
        }
        catch (OnnxRuntimeException ex)
        {
            UnavailableReason = OnnxSessionFactory.Reason(ex.Message);
        }
    }

    /// <summary>Releases the allocator once every pinned buffer is freed.</summary>
    public void Dispose() => _memory?.Dispose();
}
