using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes torchvision Keypoint R-CNN exports: one <c>[3,H,W]</c> RGB 0..1 input at the frame's own size and, in
/// order, boxes <c>[N,4]</c>, labels <c>[N]</c>, scores <c>[N]</c>, keypoints <c>[N,K,3]</c> (x, y, v with v always 1)
/// and keypoint scores <c>[N,K]</c>.
/// </summary>
/// <remarks>
/// Outputs are bound by position: the exporter often gives the fifth output an automatic name. Instances need score
/// ≥ 0.5 (at most <see cref="AdapterOptions.MaxDetections"/>). torchvision's keypoint score is the raw heatmap logit at
/// the argmax (unbounded), so the keypoint confidence reported here is <c>sigmoid(score) = 1 / (1 + e^−score)</c>:
/// 0.5 at logit 0, monotonic, so ordering and thresholds on the logit carry over. Keypoints are clipped to the frame.
/// </remarks>
public sealed class KeypointRcnnAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "keypointrcnn";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [3,H,W] float (RGB 0..1, no batch axis); outputs in order boxes [N,4] float, labels [N] int64, scores [N] float, " +
        "keypoints [N,K,3] float, keypoints_scores [N,K] float (raw logits)";

    private const float DefaultConfidence = 0.5f;

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public KeypointRcnnAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Pose, signature, options, TryMatch, DefaultConfidence)
    {
        ClassNames = CocoCategories.PersonOnly;
        Input = RcnnOutputs.NativeInput(signature.Inputs[0].Name);
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = RcnnOutputs.CheckCommon(signature, 5);
        if (reason is null &&
            (signature.Outputs[3].Shape.Length != 3 || !UltralyticsMetadata.DimIs(signature.Outputs[3].Shape[2], 3) || signature.Outputs[4].Shape.Length != 2))
        {
            reason = "expects keypoints [N,K,3] and keypoints_scores [N,K] as the fourth and fifth outputs.";
        }

        return reason is null;
    }

    /// <summary>Converts torchvision's raw keypoint logit to a 0..1 confidence (logistic sigmoid).</summary>
    public static float KeypointConfidence(float logit) => 1f / (1f + MathF.Exp(-logit));

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        int n = RcnnOutputs.Count(outputs, 5, AdapterName);
        RawTensor kpTensor = outputs[3];
        RawTensor kpScores = outputs[4];
        if (kpTensor.Shape.Length != 3 || kpTensor.Shape[0] != n || kpTensor.Shape[2] != 3)
        {
            throw new ArgumentException($"{AdapterName}: output '{kpTensor.Name}' has shape {kpTensor.ShapeText}; expected [{n},K,3].", nameof(outputs));
        }

        int k = (int)kpTensor.Shape[1];
        if (kpScores.Shape.Length != 2 || kpScores.Shape[0] != n || kpScores.Shape[1] != k)
        {
            throw new ArgumentException($"{AdapterName}: output '{kpScores.Name}' has shape {kpScores.ShapeText}; expected [{n},{k}].", nameof(outputs));
        }

        ReadOnlySpan<float> kp = kpTensor.Span;
        ReadOnlySpan<float> kpLogits = kpScores.Span;
        int[] rows = RcnnOutputs.Select(outputs, n, Confidence, Options.MaxDetections, transform, out BoxF[] boxes, out float[] scores, out int[] classIds);
        var keypoints = new Keypoint[rows.Length * k];
        float fw = transform.SourceWidth;
        float fh = transform.SourceHeight;
        for (int j = 0; j < rows.Length; j++)
        {
            int i = rows[j];
            for (int p = 0; p < k; p++)
            {
                int o = ((i * k) + p) * 3;
                float x = Math.Clamp(transform.ToSourceX(kp[o]), 0, fw);
                float y = Math.Clamp(transform.ToSourceY(kp[o + 1]), 0, fh);
                keypoints[(j * k) + p] = new Keypoint(x, y, KeypointConfidence(kpLogits[(i * k) + p]));
            }
        }

        return new Instances(boxes, scores, classIds, keypoints: k > 0 ? keypoints : null, keypointsPerInstance: k, classNames: ClassNames);
    }
}
