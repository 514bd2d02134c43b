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

    /// <summary>Reads box <paramref name="i"/> (xyxy, input pixels) and maps it to the frame.</summary>
    public static BoxF Box(ReadOnlySpan<float> boxes, int i, in LetterboxTransform transform) =>
        transform.ToSource(new BoxF(boxes[4 * i], boxes[(4 * i) + 1], boxes[(4 * i) + 2], boxes[(4 * i) + 3]));
}
