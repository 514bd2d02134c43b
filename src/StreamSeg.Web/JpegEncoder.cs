using OpenCvSharp;
using OpenCvSharp.Internal;
using OpenCvSharp.Internal.Vectors;

namespace StreamSeg.Web;

/// <summary>Encodes BGR images to JPEG into one native buffer reused frame after frame (one encoder per source).</summary>
/// <remarks>
/// <see cref="Cv2.ImEncode(string, InputArray, out byte[], int[])"/> returns a new managed array per call (often on the
/// large object heap at 720p and above); this calls the same native function with a <see cref="VectorOfByte"/> kept
/// for the encoder's lifetime, so the only per-frame copy is into the pooled <see cref="JpegBuffer"/> that clients read.
/// Not thread-safe: the sink's single loop owns it.
/// </remarks>
internal sealed class JpegEncoder : IDisposable
{
    private readonly VectorOfByte _native = new();
    private readonly int[] _parameters;

    public JpegEncoder(int quality)
    {
        _parameters = [(int)ImwriteFlags.JpegQuality, quality];
    }

    /// <summary>Encodes <paramref name="image"/> and copies the result into a new pooled buffer.</summary>
    public JpegBuffer Encode(Mat image, long sequence, long frameIndex)
    {
        using (InputArray input = InputArray.Create(image))
        {
            NativeMethods.HandleException(NativeMethods.imgcodecs_imencode_vector(".jpg", input.CvPtr, _native.CvPtr, _parameters, _parameters.Length, out int ok));
            GC.KeepAlive(image);
            if (ok == 0)
            {
                throw new InvalidOperationException("OpenCV could not encode the frame as JPEG.");
            }
        }

        int length = _native.Size;
        var buffer = new JpegBuffer(length, sequence, frameIndex);
        unsafe
        {
            new ReadOnlySpan<byte>((void*)_native.ElemPtr, length).CopyTo(buffer.WritableSpan);
        }

        return buffer;
    }

    public void Dispose() => _native.Dispose();
}
