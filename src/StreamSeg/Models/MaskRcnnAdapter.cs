using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes torchvision Mask R-CNN exports (<c>torch.onnx.export</c> of <c>maskrcnn_*</c>): one <c>[3,H,W]</c> RGB 0..1
/// input at the frame's own size (normalisation and resizing happen inside the graph) and, in order, boxes
/// <c>[N,4]</c> (xyxy, image pixels), labels <c>[N]</c> (COCO 91-category ids), scores <c>[N]</c> and masks
/// <c>[N,1,H,W]</c> (soft probabilities already pasted at image size).
/// </summary>
/// <remarks>
/// Keeps instances with score ≥ 0.5 (the graph's own threshold is 0.05), at most <see cref="AdapterOptions.MaxDetections"/>,
/// in the graph's order (score-descending). Each mask is the box's pixels (floor(x1)…ceil(x2)) whose probability is
/// ≥ <see cref="AdapterOptions.MaskThreshold"/>; torchvision's paste puts nothing ≥ 0.5 outside the box, so the crop
/// loses nothing. Outputs are bound by position, not by name.
/// </remarks>
public sealed class MaskRcnnAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "maskrcnn";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [3,H,W] float (RGB 0..1, no batch axis); outputs in order boxes [N,4] float, labels [N] int64, scores [N] float, masks [N,1,H,W] float";

    private const float DefaultConfidence = 0.5f;

    // Mask crops are rented from the adapter's own pool and go back when the frame that owns them is released
    // (DecodeStage hands them to the frame).
    private readonly ArrayPool<byte> _maskPool = ArrayPool<byte>.Create(1 << 24, 256);

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public MaskRcnnAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Segment, signature, options, TryMatch, DefaultConfidence)
    {
        ClassNames = CocoCategories.Torchvision91;
        Input = RcnnOutputs.NativeInput(signature.Inputs[0].Name);
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = RcnnOutputs.CheckCommon(signature, 4);
        if (reason is null && (signature.Outputs[3].Shape.Length != 4 || !UltralyticsMetadata.DimIs(signature.Outputs[3].Shape[1], 1)))
        {
            reason = "expects masks [N,1,H,W] as the fourth output.";
        }

        return reason is null;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        int n = RcnnOutputs.Count(outputs, 4, AdapterName);
        RawTensor maskTensor = outputs[3];
        if (maskTensor.Shape.Length != 4 || maskTensor.Shape[0] != n || maskTensor.Shape[1] != 1)
        {
            throw new ArgumentException($"{AdapterName}: output '{maskTensor.Name}' has shape {maskTensor.ShapeText}; expected [{n},1,H,W].", nameof(outputs));
        }

        int mh = (int)maskTensor.Shape[2];
        int mw = (int)maskTensor.Shape[3];
        ReadOnlySpan<float> maskData = maskTensor.Span;
        int[] rows = RcnnOutputs.Select(outputs, n, Confidence, Options.MaxDetections, transform, out BoxF[] boxes, out float[] scores, out int[] classIds);
        var masks = new InstanceMask?[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            masks[k] = CropMask(maskData.Slice(rows[k] * mh * mw, mh * mw), mh, mw, boxes[k], transform, Options.MaskThreshold, _maskPool);
        }

        return new Instances(boxes, scores, classIds, masks, classNames: ClassNames);
    }

    private static InstanceMask CropMask(ReadOnlySpan<float> mask, int mh, int mw, in BoxF box, in LetterboxTransform transform, float threshold, ArrayPool<byte> pool)
    {
        int x0 = Math.Clamp((int)MathF.Floor(box.X1), 0, transform.SourceWidth);
        int y0 = Math.Clamp((int)MathF.Floor(box.Y1), 0, transform.SourceHeight);
        int x1 = Math.Clamp((int)MathF.Ceiling(box.X2), x0, transform.SourceWidth);
        int y1 = Math.Clamp((int)MathF.Ceiling(box.Y2), y0, transform.SourceHeight);
        int w = x1 - x0;
        int h = y1 - y0;
        var crop = InstanceMask.Rent(x0, y0, w, h, pool);
        Span<byte> data = crop.Buffer.AsSpan(0, w * h);
        for (int y = 0; y < h; y++)
        {
            // Nearest input pixel of each frame pixel centre; the identity when the frame is fed at its own size.
            int my = Math.Clamp((int)MathF.Floor(transform.ToInputY(y0 + y + 0.5f)), 0, mh - 1);
            ReadOnlySpan<float> src = mask.Slice(my * mw, mw);
            Span<byte> dst = data.Slice(y * w, w);
            for (int x = 0; x < w; x++)
            {
                int mx = Math.Clamp((int)MathF.Floor(transform.ToInputX(x0 + x + 0.5f)), 0, mw - 1);
                dst[x] = src[mx] >= threshold ? (byte)1 : (byte)0;
            }
        }

        return crop;
    }
}
