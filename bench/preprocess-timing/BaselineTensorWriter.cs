using System.Numerics;
using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace PreprocessTiming;
using StreamSeg.Preprocess;

/// <summary>
/// Fills a model input tensor from a BGR frame: letterbox or stretch resize (bilinear), channel order, scale and
/// layout as an <see cref="InputSpec"/> says. Keeps one scratch image per resized size, so steady state allocates nothing.
/// Not thread-safe: one writer per stage.
/// </summary>
public sealed class BaselineTensorWriter : IDisposable
{
    private readonly Dictionary<(int W, int H), Mat> _scratch = [];

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
            WriteTfAsymmetric(bgr, spec, tensor, rw, rh, padX, padY, inW, inH);
            tensor.Transform = t;
            return t;
        }

        Mat source = bgr;
        if (rw != bgr.Width || rh != bgr.Height)
        {
            if (!_scratch.TryGetValue((rw, rh), out Mat? scratch))
            {
                scratch = new Mat(rh, rw, MatType.CV_8UC3);
                _scratch[(rw, rh)] = scratch;
            }

            Cv2.Resize(bgr, scratch, new Size(rw, rh), 0, 0, InterpolationFlags.Linear);
            source = scratch;
        }

        if (tensor.Bytes is { } pixels)
        {
            CopyPixels(source, pixels, spec.PadValue, padX, padY, rw, rh, inW, inH);
            tensor.Transform = t;
            return t;
        }

        float scale = spec.Scale;
        float padValue = spec.PadValue * scale;

        // Channel c of the tensor takes BGR channel (rgb ? 2 - c : c).
        int c0 = spec.Rgb ? 2 : 0;
        int c2 = spec.Rgb ? 0 : 2;
        bool planar = spec.Layout != TensorLayout.Nhwc;

        if (tensor.Floats is { } f)
        {
            ScatterPixels(source, f, padValue, scale, c0, c2, planar, padX, padY, rw, rh, inW, inH);
        }
        else
        {
            ScatterPixels(source, tensor.Ints!, (int)MathF.Round(padValue), scale, c0, c2, planar, padX, padY, rw, rh, inW, inH);
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
    private static unsafe void CopyPixels(Mat source, byte[] pixels, byte padValue, int padX, int padY, int rw, int rh, int inW, int inH)
    {
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            pixels.AsSpan().Fill(padValue);
        }

        long step = source.Step();
        byte* basePtr = (byte*)source.Data;
        int rowBytes = rw * 3;
        for (int y = 0; y < rh; y++)
        {
            new ReadOnlySpan<byte>(basePtr + (y * step), rowBytes).CopyTo(pixels.AsSpan((((y + padY) * inW) + padX) * 3, rowBytes));
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
    /// Resamples with TensorFlow's asymmetric bilinear (source = destination · in/out, no half-pixel offset), in
    /// double precision like TF.js's CPU kernel, rounds the result to float32, then quantises it as TF.js did for the
    /// references (truncation for int32 inputs, round half to even otherwise) before scaling.
    /// </summary>
    private static unsafe void WriteTfAsymmetric(Mat bgr, InputSpec spec, PooledTensor tensor, int rw, int rh, int padX, int padY, int inW, int inH)
    {
        int srcW = bgr.Width;
        int srcH = bgr.Height;
        double ratioY = (double)srcH / rh;
        double ratioX = (double)srcW / rw;
        bool truncate = spec.ElementType == InputElementType.Int32;
        float scale = spec.Scale;
        int plane = inW * inH;
        bool planar = spec.Layout != TensorLayout.Nhwc;
        long step = bgr.Step();
        byte* basePtr = (byte*)bgr.Data;
        float[]? floats = tensor.Floats;
        int[]? ints = tensor.Ints;
        byte[]? bytes = tensor.Bytes;
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            if (bytes is not null)
            {
                bytes.AsSpan().Fill(spec.PadValue);
            }
            else if (floats is not null)
            {
                floats.AsSpan().Fill(spec.PadValue * scale);
            }
            else
            {
                ints!.AsSpan().Fill((int)(spec.PadValue * scale));
            }
        }

        // Channel c of the tensor takes BGR channel (rgb ? 2 - c : c). Bytes stay BGR and interleaved: the model's
        // graph reorders, scales and lays them out exactly as the lines below would.
        int c0 = spec.Rgb && bytes is null ? 2 : 0;
        int c2 = spec.Rgb && bytes is null ? 0 : 2;
        planar &= bytes is null;
        for (int y = 0; y < rh; y++)
        {
            double fy = ratioY * y;
            int y0 = Math.Max(0, (int)Math.Floor(fy));
            double ry = fy - y0;
            int y1 = Math.Min(srcH - 1, (int)Math.Ceiling(fy));
            byte* top = basePtr + (y0 * step);
            byte* bottom = basePtr + (y1 * step);
            for (int x = 0; x < rw; x++)
            {
                double fx = ratioX * x;
                int x0 = Math.Max(0, (int)Math.Floor(fx));
                double rx = fx - x0;
                int x1 = Math.Min(srcW - 1, (int)Math.Ceiling(fx));
                int o = ((y + padY) * inW) + x + padX;
                for (int c = 0; c < 3; c++)
                {
                    int bc = c == 0 ? c0 : (c == 2 ? c2 : 1);
                    double tl = top[(x0 * 3) + bc];
                    double tr = top[(x1 * 3) + bc];
                    double bl = bottom[(x0 * 3) + bc];
                    double br = bottom[(x1 * 3) + bc];
                    double upper = tl + ((tr - tl) * rx);
                    double lower = bl + ((br - bl) * rx);
                    float v = (float)(upper + ((lower - upper) * ry));
                    float q = Math.Clamp(truncate ? MathF.Floor(v) : MathF.Round(v, MidpointRounding.ToEven), 0f, 255f);
                    int index = planar ? o + (c * plane) : (o * 3) + c;
                    if (bytes is not null)
                    {
                        bytes[index] = (byte)q;
                    }
                    else if (floats is not null)
                    {
                        floats[index] = q * scale;
                    }
                    else
                    {
                        ints![index] = (int)(q * scale);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the resized BGR pixels, each times <paramref name="scale"/> (converted to <typeparamref name="T"/> by
    /// truncation), planar or interleaved into <paramref name="tensor"/> at (<paramref name="padX"/>, <paramref name="padY"/>),
    /// after filling it with <paramref name="padValue"/> when the image does not cover it. One loop for the float32 and
    /// int32 tensors: the JIT specialises it per element type, so the conversion costs what a cast did.
    /// </summary>
    private static unsafe void ScatterPixels<T>(Mat source, T[] tensor, T padValue, float scale, int c0, int c2, bool planar, int padX, int padY, int rw, int rh, int inW, int inH)
        where T : unmanaged, INumberBase<T>
    {
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            // The resized image overwrites its own area; filling everything first is simpler than filling the borders
            // and costs one pass of the tensor.
            tensor.AsSpan().Fill(padValue);
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
