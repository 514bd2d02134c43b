using System.Numerics;
using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace StreamSeg.Preprocess;

/// <summary>
/// Fills a model input tensor from a BGR frame: letterbox or stretch resize (bilinear), channel order, scale and
/// layout as an <see cref="InputSpec"/> says. Keeps one scratch image per resized size, so steady state allocates nothing.
/// Not thread-safe: one writer per stage.
/// </summary>
public sealed class TensorWriter : IDisposable
{

    private readonly Dictionary<(int W, int H, int Type), Mat> _scratch = [];
    private readonly HashSet<(int W, int H)> _resized = [];
    private readonly TfAsymmetricWriter _tf = new();
    private bool _shareResize;

    /// <summary>Computes how a <paramref name="frameWidth"/>×<paramref name="frameHeight"/> frame maps into the input of <paramref name="spec"/>.</summary>
    /// <remarks>A stretch (<see cref="InputSpec.Letterbox"/> false) scales each axis on its own (<see cref="LetterboxTransform.Stretch"/>).</remarks>
    public static LetterboxTransform TransformFor(InputSpec spec, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.NativeSize)
        {
            return LetterboxTransform.Identity(frameWidth, frameHeight);
        }

        (int w, int h) = spec.SizeFor(frameWidth, frameHeight);
        return spec.Letterbox
            ? LetterboxTransform.Compute(frameWidth, frameHeight, w, h)
            : LetterboxTransform.Stretch(frameWidth, frameHeight, w, h);
    }

    /// <summary>Gets the tensor shape <paramref name="spec"/> needs for a frame of the given size.</summary>
    public static long[] ShapeFor(InputSpec spec, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(spec);
        (int w, int h) = spec.SizeFor(frameWidth, frameHeight);
        if (spec.Upload == PixelUpload.Bgr8)
        {
            return [1, h, w, 3];
        }

        return spec.Layout switch
        {
            TensorLayout.Nchw => [1, 3, h, w],
            TensorLayout.Nhwc => [1, h, w, 3],
            _ => [3, h, w],
        };
    }

    /// <summary>Fills <paramref name="tensor"/> from <paramref name="bgr"/> and returns the transform used.</summary>
    public LetterboxTransform Write(Mat bgr, InputSpec spec, PooledTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tensor);
        LetterboxTransform t = TransformFor(spec, bgr.Width, bgr.Height);
        int inW = t.InputWidth;
        int inH = t.InputHeight;
        int rw = spec.NativeSize ? inW : (spec.Letterbox ? t.ResizedWidth : inW);
        int rh = spec.NativeSize ? inH : (spec.Letterbox ? t.ResizedHeight : inH);
        int padX = spec.NativeSize || !spec.Letterbox ? 0 : t.PadX;
        int padY = spec.NativeSize || !spec.Letterbox ? 0 : t.PadY;
        if (spec.Resize == ResizeMode.TfAsymmetric && (rw != bgr.Width || rh != bgr.Height))
        {
            _tf.Write(bgr, spec, tensor, rw, rh, padX, padY, inW, inH);
            tensor.Transform = t;
            return t;
        }

        Mat source = bgr;
        if (rw != bgr.Width || rh != bgr.Height)
        {
            // Within WriteAll, one resize per size: the models that take the same size share it.
            source = Scratch(rw, rh, MatType.CV_8UC3);
            if (!_shareResize || _resized.Add((rw, rh)))
            {
                Cv2.Resize(bgr, source, new Size(rw, rh), 0, 0, InterpolationFlags.Linear);
            }
        }

        // Spans, not arrays: the tensor may live in native memory (CUDA pinned host memory for a GPU session).
        if (tensor.Element == TensorElement.UInt8)
        {
            CopyPixels(source, tensor.ByteData, spec.PadValue, padX, padY, rw, rh, inW, inH);
            tensor.Transform = t;
            return t;
        }

        float scale = spec.Scale;
        float padValue = spec.PadValue * scale;

        // Channel c of the tensor takes BGR channel (rgb ? 2 - c : c).
        int c0 = spec.Rgb ? 2 : 0;
        int c2 = spec.Rgb ? 0 : 2;
        bool planar = spec.Layout != TensorLayout.Nhwc;

        // Interleaved layouts go through OpenCV's vectorised kernels (measured: RVM's 768×576 input in about two thirds
        // of the time); planar ones keep the single managed pass, which beat convert + split + copy (bench/RESULTS.md).
        bool floats = tensor.Element == TensorElement.Float32;
        if (!planar && floats)
        {
            ConvertPixels(source, tensor.FloatData, MatType.CV_32FC3, padValue, scale, spec.Rgb, padX, padY, rw, rh, inW, inH);
        }
        else if (!planar && scale == 1f)
        {
            // int32 at scale 1 is exact in OpenCV too (it rounds where the managed loop truncates: only a scale of 1 agrees).
            ConvertPixels(source, tensor.IntData, MatType.CV_32SC3, (int)MathF.Round(padValue), scale, spec.Rgb, padX, padY, rw, rh, inW, inH);
        }
        else if (floats)
        {
            ScatterPixels(source, tensor.FloatData, padValue, scale, c0, c2, planar, padX, padY, rw, rh, inW, inH);
        }
        else
        {
            ScatterPixels(source, tensor.IntData, (int)MathF.Round(padValue), scale, c0, c2, planar, padX, padY, rw, rh, inW, inH);
        }

        tensor.Transform = t;
        return t;
    }

    /// <summary>Element type the tensor for <paramref name="spec"/> holds.</summary>
    public static TensorElement ElementFor(InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Upload == PixelUpload.Bgr8 ? TensorElement.UInt8
            : spec.ElementType == InputElementType.Int32 ? TensorElement.Int32 : TensorElement.Float32;
    }

    /// <summary>Copies the resized BGR rows into an interleaved <c>[H,W,3]</c> byte tensor, padding around them.</summary>
    private static unsafe void CopyPixels(Mat source, Span<byte> pixels, byte padValue, int padX, int padY, int rw, int rh, int inW, int inH)
    {
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            pixels.Fill(padValue);
        }

        long step = source.Step();
        byte* basePtr = (byte*)source.Data;
        int rowBytes = rw * 3;
        for (int y = 0; y < rh; y++)
        {
            new ReadOnlySpan<byte>(basePtr + (y * step), rowBytes).CopyTo(pixels.Slice((((y + padY) * inW) + padX) * 3, rowBytes));
        }
    }

    /// <summary>
    /// Fills one tensor per spec from the same frame (<paramref name="tensors"/>[i] for <paramref name="specs"/>[i]):
    /// the models that take the same resized size share one resize.
    /// </summary>
    public void WriteAll(Mat bgr, IReadOnlyList<InputSpec> specs, IReadOnlyList<PooledTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(tensors);
        _resized.Clear();
        _shareResize = true;
        try
        {
            for (int i = 0; i < specs.Count; i++)
            {
                Write(bgr, specs[i], tensors[i]);
            }
        }
        finally
        {
            _shareResize = false;
            _resized.Clear();
        }
    }

    /// <summary>Frees the scratch images.</summary>
    public void Dispose()
    {
        foreach (Mat m in _scratch.Values)
        {
            m.Dispose();
        }

        _scratch.Clear();
    }

    /// <summary>
    /// Converts the resized BGR pixels with OpenCV's vectorised kernels (channel swap on the bytes, scale and type in
    /// one <c>convertTo</c>) into a scratch image, then copies its rows into the interleaved <paramref name="tensor"/> at
    /// (<paramref name="padX"/>, <paramref name="padY"/>), after filling it with <paramref name="padValue"/> when the
    /// image does not cover it. Gives exactly what <see cref="ScatterPixels"/> gives for floats (both compute
    /// <c>pixel · scale</c> in float32) and for int32 at scale 1.
    /// </summary>
    private void ConvertPixels<T>(Mat source, Span<T> tensor, MatType type, T padValue, float scale, bool rgb, int padX, int padY, int rw, int rh, int inW, int inH)
        where T : unmanaged
    {
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            tensor.Fill(padValue);
        }

        Mat ordered = source;
        if (rgb)
        {
            ordered = Scratch(rw, rh, MatType.CV_8UC3, slot: 1);
            Cv2.CvtColor(source, ordered, ColorConversionCodes.BGR2RGB);
        }

        Mat converted = Scratch(rw, rh, type);
        ordered.ConvertTo(converted, type, scale);
        CopyRows(converted, tensor, rw * 3, padX * 3, padY, inW * 3, rh);
    }

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="rowElements"/> elements from <paramref name="image"/> into <paramref name="tensor"/> (x, y in elements, stride <paramref name="stride"/>).</summary>
    private static unsafe void CopyRows<T>(Mat image, Span<T> tensor, int rowElements, int x, int y, int stride, int rows)
        where T : unmanaged
    {
        long step = image.Step();
        byte* basePtr = (byte*)image.Data;
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<T>(basePtr + (r * step), rowElements).CopyTo(tensor.Slice(((r + y) * stride) + x, rowElements));
        }
    }

    /// <summary>Gets the scratch image of a size and type (several of one kind by <paramref name="slot"/>), made on first use.</summary>
    private Mat Scratch(int width, int height, MatType type, int slot = 0)
    {
        var key = (width, height, (type.Value * 8) + slot);
        if (!_scratch.TryGetValue(key, out Mat? scratch))
        {
            scratch = new Mat(height, width, type);
            _scratch[key] = scratch;
        }

        return scratch;
    }

    /// <summary>
    /// Writes the resized BGR pixels, each times <paramref name="scale"/> (converted to <typeparamref name="T"/> by
    /// truncation), planar or interleaved into <paramref name="tensor"/> at (<paramref name="padX"/>, <paramref name="padY"/>),
    /// after filling it with <paramref name="padValue"/> when the image does not cover it. One loop for the float32 and
    /// int32 tensors: the JIT specialises it per element type, so the conversion costs what a cast did.
    /// </summary>
    private static unsafe void ScatterPixels<T>(Mat source, Span<T> tensor, T padValue, float scale, int c0, int c2, bool planar, int padX, int padY, int rw, int rh, int inW, int inH)
        where T : unmanaged, INumberBase<T>
    {
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            // The resized image overwrites its own area; filling everything first is simpler than filling the borders
            // and costs one pass of the tensor.
            tensor.Fill(padValue);
        }

        int plane = inW * inH;
        long step = source.Step();
        byte* basePtr = (byte*)source.Data;
        fixed (T* dst = tensor)
        {
            for (int y = 0; y < rh; y++)
            {
                byte* row = basePtr + (y * step);
                int oy = y + padY;
                for (int x = 0; x < rw; x++)
                {
                    byte* px = row + (x * 3);
                    int o = (oy * inW) + x + padX;
                    if (planar)
                    {
                        dst[o] = T.CreateTruncating(px[c0] * scale);
                        dst[plane + o] = T.CreateTruncating(px[1] * scale);
                        dst[(2 * plane) + o] = T.CreateTruncating(px[c2] * scale);
                    }
                    else
                    {
                        T* d = dst + (o * 3);
                        d[0] = T.CreateTruncating(px[c0] * scale);
                        d[1] = T.CreateTruncating(px[1] * scale);
                        d[2] = T.CreateTruncating(px[c2] * scale);
                    }
                }
            }
        }
    }
}
