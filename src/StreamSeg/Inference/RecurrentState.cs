using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamSeg.Inference;

/// <summary>
/// The recurrent state of one source for one model: one tensor per state input, each an <see cref="OrtValue"/> over
/// a managed buffer that is reused while its shape stays the same. Starts as the adapter's zero tensor.
/// </summary>
/// <remarks>Not thread-safe: owned by a <see cref="RecurrentStateStore"/>, used by one inference call at a time.</remarks>
public sealed class RecurrentState : IDisposable
{
    private readonly long[] _initialShape;
    private readonly Func<int, int, int, IReadOnlyList<long>?>? _zeroShape;
    private readonly float[][] _buffers;
    private readonly long[][] _shapes;
    private readonly int[] _counts;
    private readonly OrtValue?[] _values;

    /// <summary>Creates a zero state of <paramref name="count"/> tensors of <paramref name="initialShape"/>.</summary>
    /// <param name="count">The number of state tensors.</param>
    /// <param name="initialShape">The shape of the zeros a state starts from.</param>
    /// <param name="zeroShape">
    /// When given, the full shape of state tensor <c>i</c> for frames of a size (<c>(i, width, height)</c>, null when
    /// unknown): a reset starts from zeros at that shape instead of <paramref name="initialShape"/>, so the first
    /// frame's state has the shape of every later one (a TensorRT profile's range, or a batch's other rows).
    /// </param>
    public RecurrentState(int count, IReadOnlyList<long> initialShape, Func<int, int, int, IReadOnlyList<long>?>? zeroShape = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(initialShape);
        _initialShape = [.. initialShape];
        _zeroShape = zeroShape;
        _buffers = new float[count][];
        _shapes = new long[count][];
        _counts = new int[count];
        _values = new OrtValue?[count];
        Reset(0, 0);
    }

    /// <summary>Gets the width of the frames the state belongs to (0 before the first frame).</summary>
    public int FrameWidth { get; private set; }

    /// <summary>Gets the height of the frames the state belongs to (0 before the first frame).</summary>
    public int FrameHeight { get; private set; }

    /// <summary>Gets whether the state is the initial zero state.</summary>
    public bool IsInitial { get; private set; }

    /// <summary>Gets the number of frames run since the last reset.</summary>
    public long Frames { get; private set; }

    /// <summary>Gets the current shape of state tensor <paramref name="index"/>.</summary>
    public IReadOnlyList<long> ShapeOf(int index) => _shapes[index];

    /// <summary>Gets the value to bind for state input <paramref name="index"/>; valid until the next update or reset.</summary>
    public OrtValue ValueOf(int index) => _values[index]!;

    /// <summary>Starts again from zeros for frames of the given size.</summary>
    public void Reset(int frameWidth, int frameHeight)
    {
        for (int i = 0; i < _buffers.Length; i++)
        {
            IReadOnlyList<long> shape = frameWidth > 0 && frameHeight > 0 ? _zeroShape?.Invoke(i, frameWidth, frameHeight) ?? _initialShape : _initialShape;
            long count = 1;
            foreach (long d in shape)
            {
                count *= d;
            }

            Set(i, shape as long[] ?? [.. shape], checked((int)count));
            Array.Clear(_buffers[i]);
        }

        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        IsInitial = true;
        Frames = 0;
    }

    /// <summary>Copies a model output into state tensor <paramref name="index"/> for the next frame.</summary>
    public void Update(int index, OrtValue output)
    {
        ArgumentNullException.ThrowIfNull(output);
        OrtTensorTypeAndShapeInfo info = output.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
        {
            throw new NotSupportedException($"Recurrent state outputs must be float; got {info.ElementDataType}.");
        }

        Set(index, info.Shape, checked((int)info.ElementCount));
        output.GetTensorDataAsSpan<float>().CopyTo(_buffers[index]);
        IsInitial = false;
    }

    /// <summary>Gets the elements of state tensor <paramref name="index"/> at its current shape; valid until the next update or reset.</summary>
    public ReadOnlySpan<float> DataOf(int index) => _buffers[index].AsSpan(0, _counts[index]);

    /// <summary>Copies one row of a batched state output (<paramref name="data"/>, of <paramref name="shape"/>) into state tensor <paramref name="index"/>.</summary>
    public void Update(int index, ReadOnlySpan<long> shape, ReadOnlySpan<float> data)
    {
        Set(index, shape, data.Length);
        data.CopyTo(_buffers[index]);
        IsInitial = false;
    }

    /// <summary>Marks one more frame as run on this state.</summary>
    public void Advance() => Frames++;

    /// <summary>Releases the values.</summary>
    public void Dispose()
    {
        foreach (OrtValue? v in _values)
        {
            v?.Dispose();
        }
    }

    private void Set(int index, ReadOnlySpan<long> shape, int count)
    {
        // Reuse the buffer and its OrtValue while the shape is unchanged (every frame after the first).
        if (_values[index] is not null && _shapes[index].AsSpan().SequenceEqual(shape))
        {
            return;
        }

        _values[index]?.Dispose();
        _buffers[index] = new float[Math.Max(1, count)];
        _counts[index] = count;
        _shapes[index] = shape.ToArray();
        _values[index] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _buffers[index].AsMemory(0, count), _shapes[index]);
    }
}
