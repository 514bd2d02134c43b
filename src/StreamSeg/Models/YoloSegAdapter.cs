using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes Ultralytics YOLOv8/YOLO11 instance-segmentation exports (<c>nms=False</c>): <c>output0</c>
/// <c>[1, 4+nc+32, N]</c> channel-major (cx, cy, w, h in letterboxed input pixels, sigmoid class scores, mask
/// coefficients) and <c>output1</c> <c>[1, 32, mh, mw]</c> mask prototypes.
/// </summary>
/// <remarks>
/// Detections: best class score &gt; confidence (default 0.25), class-aware NMS at IoU 0.7, at most 300, boxes mapped
/// back through the letterbox and clipped to the frame. Masks follow Ultralytics' <c>process_mask</c>: logits =
/// coefficients · prototypes, zeroed outside the box scaled to prototype resolution (column c kept when
/// x1 ≤ c &lt; x2), bilinearly upsampled with half-pixel centres, thresholded at logit &gt; 0. Rather than upsample the
/// whole map, each frame pixel inside the instance's box (floor(x1)…ceil(x2) in frame pixels) is mapped to the input
/// and then to the prototype grid, and the cropped logits are sampled there, so only the box is computed. The one
/// difference from Ultralytics: nothing outside the box is kept (bilinear spill-over beyond the box edge is dropped).
/// Thread-safe: per-call scratch comes from <see cref="ArrayPool{T}.Shared"/>. Each mask's pixels are rented from
/// the adapter's pool (<see cref="InstanceMask.IsPooled"/>): whoever holds the instances disposes the masks once
/// (in the pipeline, the frame does).
/// </remarks>
public sealed class YoloSegAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "yolo-seg";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [1,3,H,W] float (images); output0 [1,4+nc+32,N] float (cx,cy,w,h, nc class scores, 32 mask coefficients; channel-major); " +
        "output1 [1,32,H/4,W/4] float (mask prototypes); metadata task='segment' (optional), names, imgsz";

    private const int DefaultMaskChannels = 32;
    private const float DefaultConfidence = 0.25f;

    private readonly float _maskLogitThreshold;

    // Mask crops are rented from the adapter's own pool (no per-thread caches: they come back on a sink's thread,
    // about a second later, when the frame that owns them is released; see DecodeStage).
    private readonly ArrayPool<byte> _maskPool = ArrayPool<byte>.Create(1 << 24, 256);

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public YoloSegAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Segment, signature, options, TryMatch, DefaultConfidence)
    {
        _maskLogitThreshold = MathF.Log(options.MaskThreshold / (1 - options.MaskThreshold));
        TensorSignature input = signature.Inputs[0];
        (int h, int w) = UltralyticsMetadata.InputSize(signature, input);
        Input = new InputSpec(input.Name, w, h);
        ClassNames = UltralyticsMetadata.Names(signature) ?? [];
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = null;
        if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Length != 4 || !UltralyticsMetadata.DimIs(signature.Inputs[0].Shape[1], 3))
        {
            reason = "expects one [1,3,H,W] input.";
        }
        else if (signature.Outputs.Count != 2 || signature.Outputs[0].Shape.Length != 3 || signature.Outputs[1].Shape.Length != 4)
        {
            reason = "expects two outputs, [1,C,N] and [1,32,mh,mw].";
        }
        else if (!UltralyticsMetadata.IsFloat(signature.Outputs[0]) || !UltralyticsMetadata.IsFloat(signature.Outputs[1]))
        {
            reason = "expects float outputs.";
        }
        else
        {
            long nm = signature.Outputs[1].Shape[1];
            long c = signature.Outputs[0].Shape[1];
            string[]? names = UltralyticsMetadata.Names(signature);
            long maskChannels = nm > 0 ? nm : DefaultMaskChannels;
            if (c > 0 && c <= 4 + maskChannels)
            {
                reason = $"output0 has {c} channels; expected 4 + nc + {maskChannels} with nc ≥ 1.";
            }
            else if (c > 0 && names is not null && c != 4 + names.Length + maskChannels)
            {
                reason = $"output0 has {c} channels but metadata names {names.Length} classes (expected {4 + names.Length + maskChannels}).";
            }
        }

        return reason is null;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 2)
        {
            throw new ArgumentException($"{AdapterName}: got {outputs.Count} outputs; expected output0 and output1.", nameof(outputs));
        }

        RawTensor protoTensor = outputs[1];
        if (protoTensor.Shape.Length != 4 || protoTensor.Shape[0] != 1)
        {
            throw new ArgumentException($"{AdapterName}: output '{protoTensor.Name}' has shape {protoTensor.ShapeText}; expected [1,32,mh,mw].", nameof(outputs));
        }

        int nm = (int)protoTensor.Shape[1];
        int mh = (int)protoTensor.Shape[2];
        int mw = (int)protoTensor.Shape[3];
        (int channels, int anchors) = YoloDetectionSelector.CheckHead(outputs[0], AdapterName, 5 + nm);
        int nc = channels - 4 - nm;
        ReadOnlySpan<float> head = outputs[0].Span;
        ReadOnlySpan<float> proto = protoTensor.Span;

        int cap = Math.Min(anchors, Options.MaxDetections);
        int[] keptAnchors = ArrayPool<int>.Shared.Rent(cap);
        BoxF[] keptBoxes = ArrayPool<BoxF>.Shared.Rent(cap);
        float[] keptScores = ArrayPool<float>.Shared.Rent(cap);
        int[] keptClasses = ArrayPool<int>.Shared.Rent(cap);
        float[] coeffs = ArrayPool<float>.Shared.Rent(nm);
        try
        {
            int n = YoloDetectionSelector.Select(head, anchors, nc, Confidence, Options, keptAnchors, keptBoxes, keptScores, keptClasses);
            if (n == 0)
            {
                return new Instances([], [], [], [], classNames: ClassNames);
            }

            var boxes = new BoxF[n];
            var scores = new float[n];
            var classIds = new int[n];
            var masks = new InstanceMask?[n];
            for (int k = 0; k < n; k++)
            {
                boxes[k] = transform.ToSource(keptBoxes[k]);
                scores[k] = keptScores[k];
                classIds[k] = keptClasses[k];
                int anchor = keptAnchors[k];
                for (int m = 0; m < nm; m++)
                {
                    coeffs[m] = head[((4 + nc + m) * anchors) + anchor];
                }

                masks[k] = BuildMask(proto, nm, mh, mw, coeffs.AsSpan(0, nm), keptBoxes[k], boxes[k], transform, _maskLogitThreshold, _maskPool);
            }

            return new Instances(boxes, scores, classIds, masks, classNames: ClassNames);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(keptAnchors);
            ArrayPool<BoxF>.Shared.Return(keptBoxes);
            ArrayPool<float>.Shared.Return(keptScores);
            ArrayPool<int>.Shared.Return(keptClasses);
            ArrayPool<float>.Shared.Return(coeffs);
        }
    }

    /// <summary>
    /// Builds the mask crop of one instance over its frame box: each frame pixel centre maps to the input and then to
    /// the prototype grid, where the box-cropped logits are sampled bilinearly (half-pixel centres, edge-clamped like
    /// <c>F.interpolate(align_corners=False)</c>).
    /// </summary>
    internal static InstanceMask BuildMask(
        ReadOnlySpan<float> proto,
        int nm,
        int mh,
        int mw,
        ReadOnlySpan<float> coeffs,
        in BoxF inputBox,
        in BoxF frameBox,
        in LetterboxTransform transform,
        float logitThreshold,
        ArrayPool<byte> pool)
    {
        int fx0 = Math.Clamp((int)MathF.Floor(frameBox.X1), 0, transform.SourceWidth);
        int fy0 = Math.Clamp((int)MathF.Floor(frameBox.Y1), 0, transform.SourceHeight);
        int fx1 = Math.Clamp((int)MathF.Ceiling(frameBox.X2), fx0, transform.SourceWidth);
        int fy1 = Math.Clamp((int)MathF.Ceiling(frameBox.Y2), fy0, transform.SourceHeight);
        int w = fx1 - fx0;
        int h = fy1 - fy0;
        var mask = InstanceMask.Rent(fx0, fy0, w, h, pool);
        Span<byte> data = mask.Buffer.AsSpan(0, w * h);
        if (w == 0 || h == 0)
        {
            return mask;
        }

        // Ultralytics' crop_mask keeps prototype column c when x1 ≤ c < x2 (box scaled to the prototype grid).
        float sx = (float)mw / transform.InputWidth;
        float sy = (float)mh / transform.InputHeight;
        int c0 = Math.Clamp((int)MathF.Ceiling(inputBox.X1 * sx), 0, mw);
        int c1 = Math.Clamp((int)MathF.Ceiling(inputBox.X2 * sx), c0, mw);
        int r0 = Math.Clamp((int)MathF.Ceiling(inputBox.Y1 * sy), 0, mh);
        int r1 = Math.Clamp((int)MathF.Ceiling(inputBox.Y2 * sy), r0, mh);
        int ww = c1 - c0;
        int wh = r1 - r0;
        if (ww == 0 || wh == 0)
        {
            return mask; // all zeros: Rent clears the buffer
        }

        float[] window = ArrayPool<float>.Shared.Rent(ww * wh);
        int[] xi = ArrayPool<int>.Shared.Rent(2 * w);
        float[] xl = ArrayPool<float>.Shared.Rent(w);
        try
        {
            // Logits over the kept window only; everything outside it is zero after the crop.
            Span<float> win = window.AsSpan(0, ww * wh);
            win.Clear();
            int plane = mh * mw;
            for (int m = 0; m < nm; m++)
            {
                float coeff = coeffs[m];
                if (coeff == 0)
                {
                    continue;
                }

                ReadOnlySpan<float> p = proto.Slice(m * plane, plane);
                for (int r = 0; r < wh; r++)
                {
                    ReadOnlySpan<float> src = p.Slice(((r0 + r) * mw) + c0, ww);
                    Span<float> dst = win.Slice(r * ww, ww);
                    for (int c = 0; c < ww; c++)
                    {
                        dst[c] += coeff * src[c];
                    }
                }
            }

            for (int x = 0; x < w; x++)
            {
                float ix = transform.ToInputX(fx0 + x + 0.5f);
                float px = MathF.Max(0, (ix * sx) - 0.5f);
                int x0 = Math.Min((int)px, mw - 1);
                xi[2 * x] = x0;
                xi[(2 * x) + 1] = x0 < mw - 1 ? x0 + 1 : x0;
                xl[x] = px - x0;
            }

            for (int y = 0; y < h; y++)
            {
                float iy = transform.ToInputY(fy0 + y + 0.5f);
                float py = MathF.Max(0, (iy * sy) - 0.5f);
                int y0 = Math.Min((int)py, mh - 1);
                int y1 = y0 < mh - 1 ? y0 + 1 : y0;
                float ly = py - y0;
                Span<byte> row = data.Slice(y * w, w);
                for (int x = 0; x < w; x++)
                {
                    int x0 = xi[2 * x];
                    int x1 = xi[(2 * x) + 1];
                    float lx = xl[x];
                    float top = ((1 - lx) * At(win, ww, wh, c0, r0, x0, y0)) + (lx * At(win, ww, wh, c0, r0, x1, y0));
                    float bottom = ((1 - lx) * At(win, ww, wh, c0, r0, x0, y1)) + (lx * At(win, ww, wh, c0, r0, x1, y1));
                    float v = ((1 - ly) * top) + (ly * bottom);
                    row[x] = v > logitThreshold ? (byte)1 : (byte)0;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(window);
            ArrayPool<int>.Shared.Return(xi);
            ArrayPool<float>.Shared.Return(xl);
        }

        return mask;
    }

    private static float At(ReadOnlySpan<float> window, int ww, int wh, int c0, int r0, int c, int r)
    {
        int x = c - c0;
        int y = r - r0;
        return (uint)x < (uint)ww && (uint)y < (uint)wh ? window[(y * ww) + x] : 0f;
    }
}
