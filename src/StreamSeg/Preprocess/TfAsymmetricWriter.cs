using System.Numerics;
using OpenCvSharp;
using StreamSeg.Memory;
using StreamSeg.Models;

namespace StreamSeg.Preprocess;

/// <summary>
/// TensorFlow's asymmetric bilinear resize (<see cref="ResizeMode.TfAsymmetric"/>: MoveNet as TF.js feeds it) straight
/// into a model input tensor, bit for bit as TF.js's CPU kernel. Keeps its column tables and row buffer per size, so
/// steady state allocates nothing. Not thread-safe: one per <see cref="TensorWriter"/>.
/// </summary>
internal sealed class TfAsymmetricWriter
{
    private readonly Dictionary<(int Source, int Resized), TfColumns> _columns = [];
    private float[] _row = [];

    /// <summary>
    /// Resamples with TensorFlow's asymmetric bilinear (source = destination · in/out, no half-pixel offset), in
    /// double precision like TF.js's CPU kernel, rounds the result to float32, then quantises it as TF.js did for the
    /// references (truncation for int32 inputs, round half to even otherwise) before scaling.
    /// </summary>
    public unsafe void Write(Mat bgr, InputSpec spec, PooledTensor tensor, int rw, int rh, int padX, int padY, int inW, int inH)
    {
        int srcW = bgr.Width;
        int srcH = bgr.Height;
        double ratioY = (double)srcH / rh;
        bool truncate = spec.ElementType == InputElementType.Int32;
        float scale = spec.Scale;
        int plane = inW * inH;
        bool planar = spec.Layout != TensorLayout.Nhwc;
        long step = bgr.Step();
        byte* basePtr = (byte*)bgr.Data;
        // Spans, not arrays: the tensor may live in native memory (CUDA pinned host memory for a GPU session).
        bool isBytes = tensor.Element == TensorElement.UInt8;
        bool isFloats = tensor.Element == TensorElement.Float32;
        Span<float> floats = tensor.FloatData;
        Span<int> ints = tensor.IntData;
        Span<byte> bytes = tensor.ByteData;
        if (padX > 0 || padY > 0 || rw < inW || rh < inH)
        {
            if (isBytes)
            {
                bytes.Fill(spec.PadValue);
            }
            else if (isFloats)
            {
                floats.Fill(spec.PadValue * scale);
            }
            else
            {
                ints.Fill((int)(spec.PadValue * scale));
            }
        }

        // Channel c of the tensor takes BGR channel (rgb ? 2 - c : c). Bytes stay BGR and interleaved: the model's
        // graph reorders, scales and lays them out exactly as the lines below would.
        bool swap = spec.Rgb && !isBytes;
        planar &= !isBytes;
        TfColumns columns = Columns(srcW, rw);
        float[] row = RowBuffer(rw * 3);
        for (int y = 0; y < rh; y++)
        {
            double fy = ratioY * y;
            int y0 = Math.Max(0, (int)Math.Floor(fy));
            double ry = fy - y0;
            int y1 = Math.Min(srcH - 1, (int)Math.Ceiling(fy));
            byte* top = basePtr + (y0 * step);
            byte* bottom = basePtr + (y1 * step);

            // The same arithmetic, in the same order, as TF.js's kernel; the column indices and weights are computed once per size.
            for (int x = 0; x < rw; x++)
            {
                int a = columns.Left[x];
                int b = columns.Right[x];
                double rx = columns.Weight[x];
                for (int c = 0; c < 3; c++)
                {
                    double tl = top[a + c];
                    double tr = top[b + c];
                    double bl = bottom[a + c];
                    double br = bottom[b + c];
                    double upper = tl + ((tr - tl) * rx);
                    double lower = bl + ((br - bl) * rx);
                    float v = (float)(upper + ((lower - upper) * ry));
                    row[(x * 3) + (swap ? 2 - c : c)] = Math.Clamp(truncate ? MathF.Floor(v) : MathF.Round(v, MidpointRounding.ToEven), 0f, 255f);
                }
            }

            int o = ((y + padY) * inW) + padX;
            if (isBytes)
            {
                for (int i = 0; i < rw * 3; i++)
                {
                    bytes[(o * 3) + i] = (byte)row[i];
                }
            }
            else if (isFloats)
            {
                EmitRow(row, floats, o, rw, plane, planar, scale);
            }
            else
            {
                EmitRow(row, ints, o, rw, plane, planar, scale);
            }
        }
    }

    /// <summary>Writes one row of quantised values (interleaved, tensor channel order) times <paramref name="scale"/>, planar or interleaved, from pixel <paramref name="o"/>.</summary>
    private static void EmitRow<T>(float[] row, Span<T> tensor, int o, int rw, int plane, bool planar, float scale)
        where T : INumberBase<T>
    {
        if (!planar)
        {
            for (int i = 0; i < rw * 3; i++)
            {
                tensor[(o * 3) + i] = T.CreateTruncating(row[i] * scale);
            }

            return;
        }

        for (int x = 0; x < rw; x++)
        {
            tensor[o + x] = T.CreateTruncating(row[x * 3] * scale);
            tensor[plane + o + x] = T.CreateTruncating(row[(x * 3) + 1] * scale);
            tensor[(2 * plane) + o + x] = T.CreateTruncating(row[(x * 3) + 2] * scale);
        }
    }

    /// <summary>Gets the source columns (byte offsets of the left and right neighbours) and weights of TF's asymmetric resize from <paramref name="srcW"/> to <paramref name="rw"/>, made once per pair.</summary>
    private TfColumns Columns(int srcW, int rw)
    {
        if (!_columns.TryGetValue((srcW, rw), out TfColumns? columns))
        {
            double ratioX = (double)srcW / rw;
            columns = new TfColumns(new int[rw], new int[rw], new double[rw]);
            for (int x = 0; x < rw; x++)
            {
                double fx = ratioX * x;
                int x0 = Math.Max(0, (int)Math.Floor(fx));
                columns.Left[x] = x0 * 3;
                columns.Right[x] = Math.Min(srcW - 1, (int)Math.Ceiling(fx)) * 3;
                columns.Weight[x] = fx - x0;
            }

            _columns[(srcW, rw)] = columns;
        }

        return columns;
    }

    private float[] RowBuffer(int length)
    {
        if (_row.Length < length)
        {
            _row = new float[length];
        }

        return _row;
    }
}
