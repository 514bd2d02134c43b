using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes MoveNet MultiPose Lightning (TF-Hub <c>movenet/multipose/lightning/1</c>, as imported from TF.js keeping
/// its names, NHWC layout and dtypes): input <c>input</c> int32 <c>[1,H,W,3]</c> RGB 0..255 with H and W multiples
/// of 32; output <c>[1,6,56]</c>, per person 17 × (y, x, score) normalised to the model input, then ymin, xmin, ymax,
/// xmax and the person score.
/// </summary>
/// <remarks>
/// <para>Input: with a dynamic input the frame is stretched (no padding) to long side <see cref="AdapterOptions.LongSide"/>
/// (default 256) and short side rounded to a multiple of 32, TF-Hub's guidance and the references' <c>long256</c>/<c>long512</c>
/// variants; the aspect ratio then changes slightly, so the transform has one scale per axis. A model with a fixed
/// input size is letterboxed with zero padding instead (Human's pad-to-square). Resampling is TensorFlow's asymmetric
/// bilinear, truncated to int32, which reproduces the references' inputs exactly.</para>
/// <para>Decode: a person is kept when its score is strictly above the confidence threshold (default 0.2, the
/// threshold the TF.js references were decoded with); keypoints and boxes are scaled to input pixels, the padding is
/// undone and they are scaled to the frame, then clipped to it. Keypoint scores are kept as given; low-score
/// keypoints are for the consumer to hide. No NMS: the model's own decoder already separates people.</para>
/// </remarks>
public sealed class MoveNetMultiPoseAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "movenet-multipose";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [1,H,W,3] int32 (input; NHWC RGB 0..255, H and W multiples of 32, dynamic or fixed); " +
        "1 float output [1,6,56] (Identity: 6 people x 17 (y,x,score) normalised, then ymin,xmin,ymax,xmax,score)";

    /// <summary>The default long side of a dynamic input.</summary>
    public const int DefaultLongSide = 256;

    /// <summary>The number of keypoints per person (COCO-17).</summary>
    public const int KeypointCount = 17;

    private const int Values = (KeypointCount * 3) + 5;
    private const float DefaultConfidence = 0.2f;

    private static readonly string[] s_names = ["person"];

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public MoveNetMultiPoseAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Pose, signature, options, TryMatch, DefaultConfidence)
    {
        ClassNames = s_names;
        TensorSignature input = signature.Inputs[0];
        long h = input.Shape[1];
        long w = input.Shape[2];
        Input = h > 0 && w > 0
            ? new InputSpec(input.Name, (int)w, (int)h, Letterbox: true, PadValue: 0, Rgb: true, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32)
            {
                Resize = ResizeMode.TfAsymmetric,
            }
            : CreateInput(input.Name, options.LongSide ?? DefaultLongSide);
    }

    /// <summary>Gets the person score a detection must exceed.</summary>
    public float ConfidenceThreshold => Confidence;

    /// <summary>Creates the dynamic-size input spec: stretch to long side <paramref name="longSide"/>, int32 NHWC RGB, TF resampling.</summary>
    public static InputSpec CreateInput(string name, int longSide) =>
        new(name, longSide, longSide, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f, Layout: TensorLayout.Nhwc, ElementType: InputElementType.Int32)
        {
            LongSide = longSide,
            SizeMultiple = 32,
            Resize = ResizeMode.TfAsymmetric,
        };

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = null;
        if (signature.Inputs.Count != 1)
        {
            reason = $"expects one input, got {signature.Inputs.Count}.";
            return false;
        }

        TensorSignature input = signature.Inputs[0];
        if (input.Shape.Length != 4 || !UltralyticsMetadata.DimIs(input.Shape[3], 3) || !IsInt32(input))
        {
            reason = "expects one int32 NHWC input [1,H,W,3].";
            return false;
        }

        if (signature.Outputs.Count != 1)
        {
            reason = $"expects one output [1,6,56], got {signature.Outputs.Count}.";
            return false;
        }

        TensorSignature output = signature.Outputs[0];
        if (!UltralyticsMetadata.IsFloat(output) || !(output.Shape.Length == 0 || ShapeIs(output.Shape, 1, 6, Values)))
        {
            reason = $"expects a float output [1,6,{Values}], got {output.ShapeText}.";
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 1)
        {
            throw new ArgumentException($"{AdapterName}: got no outputs; expected [1,6,{Values}].", nameof(outputs));
        }

        RawTensor raw = outputs[0];
        if (raw.Shape.Length != 3 || raw.Shape[2] != Values)
        {
            throw new ArgumentException($"{AdapterName}: output '{raw.Name}' has shape {raw.ShapeText}; expected [1,N,{Values}].", nameof(outputs));
        }

        ReadOnlySpan<float> data = raw.Span;
        int people = (int)raw.Shape[1];
        int n = 0;
        for (int p = 0; p < people; p++)
        {
            n += data[(p * Values) + Values - 1] > Confidence ? 1 : 0;
        }

        var boxes = new BoxF[n];
        var scores = new float[n];
        var classIds = new int[n];
        var keypoints = new Keypoint[n * KeypointCount];
        float inW = transform.InputWidth;
        float inH = transform.InputHeight;
        float fw = transform.SourceWidth;
        float fh = transform.SourceHeight;
        int i = 0;
        for (int p = 0; p < people; p++)
        {
            ReadOnlySpan<float> row = data.Slice(p * Values, Values);
            float score = row[Values - 1];
            if (!(score > Confidence))
            {
                continue;
            }

            for (int j = 0; j < KeypointCount; j++)
            {
                // y first: (y, x, score), normalised to the input; scale to input pixels, then undo padding and scale.
                float y = transform.ToSourceY(row[3 * j] * inH);
                float x = transform.ToSourceX(row[(3 * j) + 1] * inW);
                keypoints[(i * KeypointCount) + j] = new Keypoint(Math.Clamp(x, 0, fw), Math.Clamp(y, 0, fh), row[(3 * j) + 2]);
            }

            int b = KeypointCount * 3;
            boxes[i] = transform.ToSource(new BoxF(row[b + 1] * inW, row[b] * inH, row[b + 3] * inW, row[b + 2] * inH));
            scores[i] = score;
            i++;
        }

        return new Instances(boxes, scores, classIds, keypoints: keypoints, keypointsPerInstance: KeypointCount, classNames: s_names);
    }

    /// <summary>Gets whether a tensor's element type is int32.</summary>
    internal static bool IsInt32(TensorSignature tensor) =>
        tensor.ElementType is "Int32" or "int32" or "tensor(int32)";

    /// <summary>Gets whether <paramref name="shape"/> has the rank of <paramref name="expected"/> and fits it (−1 on either side matches any size).</summary>
    internal static bool ShapeIs(long[] shape, params long[] expected)
    {
        if (shape.Length != expected.Length)
        {
            return false;
        }

        for (int i = 0; i < shape.Length; i++)
        {
            if (expected[i] >= 0 && !UltralyticsMetadata.DimIs(shape[i], expected[i]))
            {
                return false;
            }
        }

        return true;
    }
}
