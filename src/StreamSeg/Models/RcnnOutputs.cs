using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>Checks and reads the boxes/labels/scores outputs shared by torchvision's R-CNN exports.</summary>
internal static class RcnnOutputs
{
    /// <summary>The input every torchvision detection export takes: CHW, RGB 0..1, at the frame's own size.</summary>
    public static InputSpec NativeInput(string name) =>
        new(name, 0, 0, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Chw);

    /// <summary>Checks the shared part of the signature: one [3,H,W] float input, boxes [N,4], labels [N], scores [N].</summary>
    public static string? CheckCommon(ModelSignature signature, int outputCount)
    {
        if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Length != 3 || !UltralyticsMetadata.DimIs(signature.Inputs[0].Shape[0], 3))
        {
            return "expects one [3,H,W] input (no batch axis).";
        }

        if (signature.Outputs.Count != outputCount)
        {
            return $"expects {outputCount} outputs, got {signature.Outputs.Count}.";
        }

        IReadOnlyList<TensorSignature> o = signature.Outputs;
        if (o[0].Shape.Length != 2 || !UltralyticsMetadata.DimIs(o[0].Shape[1], 4) || o[1].Shape.Length != 1 || o[2].Shape.Length != 1)
        {
            return "expects boxes [N,4], labels [N] and scores [N] as the first three outputs.";
        }

        return null;
    }

    /// <summary>Checks the decoded tensors and returns N.</summary>
    public static int Count(IReadOnlyList<RawTensor> outputs, int outputCount, string adapter)
    {
        if (outputs.Count < outputCount)
        {
            throw new ArgumentException($"{adapter}: got {outputs.Count} outputs; expected {outputCount}.", nameof(outputs));
        }

        RawTensor boxes = outputs[0];
        if (boxes.Shape.Length != 2 || boxes.Shape[1] != 4)
        {
            throw new ArgumentException($"{adapter}: output '{boxes.Name}' has shape {boxes.ShapeText}; expected [N,4].", nameof(outputs));
        }

        int n = (int)boxes.Shape[0];
        for (int i = 1; i <= 2; i++)
        {
            if (outputs[i].Shape.Length != 1 || outputs[i].Shape[0] != n)
            {
                throw new ArgumentException($"{adapter}: output '{outputs[i].Name}' has shape {outputs[i].ShapeText}; expected [{n}].", nameof(outputs));
            }
        }

        return n;
    }

    /// <summary>
    /// Keeps the first instances (the graph's order, score-descending) with score ≥ <paramref name="confidence"/>, at
    /// most <paramref name="maxDetections"/>, and reads their boxes (mapped to the frame), scores and labels.
    /// </summary>
    /// <param name="outputs">The outputs, checked by <see cref="Count"/>.</param>
    /// <param name="n">The number of instances, as <see cref="Count"/> returned it.</param>
    /// <param name="confidence">The minimum score.</param>
    /// <param name="maxDetections">The most instances kept.</param>
    /// <param name="transform">How the frame was placed into the input.</param>
    /// <param name="boxes">The kept instances' boxes in frame coordinates.</param>
    /// <param name="scores">The kept instances' scores.</param>
    /// <param name="classIds">The kept instances' labels.</param>
    /// <returns>The kept instances' indices among the N, for reading their own outputs (masks, keypoints).</returns>
    public static int[] Select(
        IReadOnlyList<RawTensor> outputs,
        int n,
        float confidence,
        int maxDetections,
        in LetterboxTransform transform,
        out BoxF[] boxes,
        out float[] scores,
        out int[] classIds)
    {
        ReadOnlySpan<float> boxData = outputs[0].Span;
        ReadOnlySpan<float> labels = outputs[1].Span;
        ReadOnlySpan<float> scoreData = outputs[2].Span;

        int kept = 0;
        for (int i = 0; i < n && kept < maxDetections; i++)
        {
            kept += scoreData[i] >= confidence ? 1 : 0;
        }

        var rows = new int[kept];
        boxes = new BoxF[kept];
        scores = new float[kept];
        classIds = new int[kept];
        int k = 0;
        for (int i = 0; i < n && k < kept; i++)
        {
            if (scoreData[i] < confidence)
            {
                continue;
            }

            rows[k] = i;
            boxes[k] = Box(boxData, i, transform);
            scores[k] = scoreData[i];
            classIds[k] = (int)labels[i];
            k++;
        }

        return rows;
    }

    /// <summary>Reads box <paramref name="i"/> (xyxy, input pixels) and maps it to the frame.</summary>
    private static BoxF Box(ReadOnlySpan<float> boxes, int i, in LetterboxTransform transform) =>
        transform.ToSource(new BoxF(boxes[4 * i], boxes[(4 * i) + 1], boxes[(4 * i) + 2], boxes[(4 * i) + 3]));
}
