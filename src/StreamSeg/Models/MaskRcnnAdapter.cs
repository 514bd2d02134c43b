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
/// in the graph's order (score-descending). Each mask holds every pixel whose probability is
/// ≥ <see cref="AdapterOptions.MaskThreshold"/>, cropped to the box's pixels (floor(x1)…ceil(x2)) grown to take in
/// those that torchvision's paste (the mask grown by one cell and truncated to whole pixels) puts past the box.
/// Outputs are bound by position, not by name.
/// </remarks>
public sealed class MaskRcnnAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "maskrcnn";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [3,H,W] float (RGB 0..1, no batch axis); outputs in order boxes [N,4] float, labels [N] int64, scores [N] float, masks [N,1,H,W] float";

    private const float DefaultConfidence = 0.5f;

    // The side of the mask head's output (MaskRCNNPredictor: 14×14 RoIs upsampled twice) in every torchvision Mask R-CNN.
    private const int MaskSize = 28;

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
        int fw = transform.SourceWidth;
        int fh = transform.SourceHeight;
        int bx0 = Math.Clamp((int)MathF.Floor(box.X1), 0, fw);
        int by0 = Math.Clamp((int)MathF.Floor(box.Y1), 0, fh);
        int bx1 = Math.Clamp((int)MathF.Ceiling(box.X2), bx0, fw);
        int by1 = Math.Clamp((int)MathF.Ceiling(box.Y2), by0, fh);

        // torchvision pastes its 28×28 mask into the box grown by one mask cell on each side and truncated to whole
        // pixels (paste_masks_in_image), so confident pixels can lie a pixel past the box: the crop is the box grown
        // to take in every confident pixel of that paste rectangle (outside it torchvision writes zeros).
        (int px0, int py0, int px1, int py1) = PasteRect(box, fw, fh);
        int x0 = bx0, y0 = by0, x1 = bx1, y1 = by1;
        for (int fy = py0; fy < py1; fy++)
        {
            ReadOnlySpan<float> src = MaskRow(mask, mh, mw, fy, transform);
            for (int fx = px0; fx < px1; fx++)
            {
                if (src[MaskColumn(mw, fx, transform)] >= threshold)
                {
                    x0 = Math.Min(x0, fx);
                    x1 = Math.Max(x1, fx + 1);
                    y0 = Math.Min(y0, fy);
                    y1 = Math.Max(y1, fy + 1);
                }
            }
        }

        int w = x1 - x0;
        int h = y1 - y0;
        var crop = InstanceMask.Rent(x0, y0, w, h, pool);
        Span<byte> data = crop.Buffer.AsSpan(0, w * h);
        for (int y = 0; y < h; y++)
        {
            ReadOnlySpan<float> src = MaskRow(mask, mh, mw, y0 + y, transform);
            Span<byte> dst = data.Slice(y * w, w);
            for (int x = 0; x < w; x++)
            {
                dst[x] = src[MaskColumn(mw, x0 + x, transform)] >= threshold ? (byte)1 : (byte)0;
            }
        }

        return crop;
    }

    /// <summary>
    /// Gets the rectangle (exclusive ends, clipped to the frame) where torchvision's <c>paste_masks_in_image</c> puts
    /// the mask of <paramref name="box"/>: the box scaled by (M + 2) / M about its centre (M = 28, one cell of padding),
    /// truncated toward zero as <c>.to(torch.int64)</c> does, with the right and bottom ends inclusive.
    /// </summary>
    private static (int X0, int Y0, int X1, int Y1) PasteRect(in BoxF box, int fw, int fh)
    {
        const float Scale = (MaskSize + 2f) / MaskSize;
        float wHalf = (box.X2 - box.X1) * 0.5f * Scale;
        float hHalf = (box.Y2 - box.Y1) * 0.5f * Scale;
        float xc = (box.X2 + box.X1) * 0.5f;
        float yc = (box.Y2 + box.Y1) * 0.5f;
        int x0 = Math.Clamp((int)(xc - wHalf), 0, fw);
        int y0 = Math.Clamp((int)(yc - hHalf), 0, fh);
        int x1 = Math.Clamp((int)(xc + wHalf) + 1, x0, fw);
        int y1 = Math.Clamp((int)(yc + hHalf) + 1, y0, fh);
        return (x0, y0, x1, y1);
    }

    // Nearest input pixel of each frame pixel centre; the identity when the frame is fed at its own size.
    private static ReadOnlySpan<float> MaskRow(ReadOnlySpan<float> mask, int mh, int mw, int fy, in LetterboxTransform transform) =>
        mask.Slice(Math.Clamp((int)MathF.Floor(transform.ToInputY(fy + 0.5f)), 0, mh - 1) * mw, mw);

    private static int MaskColumn(int mw, int fx, in LetterboxTransform transform) =>
        Math.Clamp((int)MathF.Floor(transform.ToInputX(fx + 0.5f)), 0, mw - 1);
}
