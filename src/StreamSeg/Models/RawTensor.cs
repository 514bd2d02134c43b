namespace StreamSeg.Models;

/// <summary>
/// One raw model output copied to the CPU as float32 (integer outputs such as R-CNN labels are converted), with its
/// name and shape. Decoders read these; they do not depend on ONNX Runtime types, so they can be unit-tested
/// on hand-made tensors.
/// </summary>
/// <param name="Name">The output name.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Data">The values, row-major; at least the product of <paramref name="Shape"/> elements.</param>
public sealed record RawTensor(string Name, long[] Shape, Memory<float> Data)
{
    /// <summary>Gets the number of elements the shape describes.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape)
            {
                n *= d;
            }

            return n;
        }
    }

    /// <summary>Gets the values as a span of exactly <see cref="ElementCount"/> elements.</summary>
    public ReadOnlySpan<float> Span => Data.Span[..checked((int)ElementCount)];

    /// <summary>Gets the shape as text, for example <c>[1,116,8400]</c>.</summary>
    public string ShapeText => "[" + string.Join(',', Shape) + "]";
}
