using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes Ultralytics YOLOv8/YOLO11 pose exports (<c>nms=False</c>): <c>output0</c> <c>[1, 4+nc+K·D, N]</c>
/// channel-major, keypoints interleaved per keypoint (x, y[, v]) and already decoded to letterboxed input pixels
/// with v a sigmoid probability.
/// </summary>
/// <remarks>
/// K and D come from the <c>kpt_shape</c> metadata (<c>[17, 3]</c> for COCO); without it only the COCO layout
/// (56 channels: 1 class, 17×3) is recognised. Detection is as for <see cref="YoloSegAdapter"/> (conf &gt; 0.25,
/// class-aware NMS at IoU 0.7, at most 300). Boxes and keypoints are mapped back through the letterbox and clipped
/// to the frame, as Ultralytics' <c>scale_boxes</c>/<c>scale_coords</c> do; a keypoint's score is v, or 1 when D = 2.
/// </remarks>
public sealed class YoloPoseAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "yolo-pose";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [1,3,H,W] float (images); output0 [1,4+nc+K*D,N] float (cx,cy,w,h, nc class scores, K keypoints x,y[,v]; channel-major); " +
        "metadata task='pose' and kpt_shape [K, D] (without them only [1,56,N] = 1 class + 17x3 is recognised), names, imgsz";

    private const float DefaultConfidence = 0.25f;
    private static readonly int[] s_cocoKptShape = [17, 3];

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public YoloPoseAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Pose, signature, options, TryMatch, DefaultConfidence)
    {
        int[] kpt = UltralyticsMetadata.KptShape(signature) ?? s_cocoKptShape;
        KeypointCount = kpt[0];
        KeypointDims = kpt[1];
        TensorSignature input = signature.Inputs[0];
        (int h, int w) = UltralyticsMetadata.InputSize(signature, input);
        Input = new InputSpec(input.Name, w, h);
        ClassNames = UltralyticsMetadata.Names(signature) ?? ["person"];
    }

    /// <summary>Gets the number of keypoints per instance (K).</summary>
    public int KeypointCount { get; }

    /// <summary>Gets the values per keypoint (D): 3 for x, y, v; 2 for x, y.</summary>
    public int KeypointDims { get; }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = null;
        if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Length != 4 || !UltralyticsMetadata.DimIs(signature.Inputs[0].Shape[1], 3))
        {
            reason = "expects one [1,3,H,W] input.";
            return false;
        }

        if (signature.Outputs.Count != 1 || signature.Outputs[0].Shape.Length != 3 || !UltralyticsMetadata.IsFloat(signature.Outputs[0]))
        {
            reason = "expects one float output [1,4+nc+K*D,N].";
            return false;
        }

        int[]? kpt = UltralyticsMetadata.KptShape(signature);
        long c = signature.Outputs[0].Shape[1];
        string[]? names = UltralyticsMetadata.Names(signature);
        if (kpt is null)
        {
            bool poseTask = UltralyticsMetadata.Task(signature) == "pose";
            if (c != 56 && !(poseTask && c < 0))
            {
                reason = $"no kpt_shape metadata and output0 has {c} channels (only the COCO layout, 56 = 4+1+17*3, is recognised without it).";
            }

            kpt = s_cocoKptShape;
        }

        long extra = 4 + ((long)kpt[0] * kpt[1]);
        if (reason is null && c > 0 && c <= extra)
        {
            reason = $"output0 has {c} channels; expected 4 + nc + {kpt[0]}*{kpt[1]} with nc ≥ 1.";
        }
        else if (reason is null && c > 0 && names is not null && c != extra + names.Length)
        {
            reason = $"output0 has {c} channels but metadata names {names.Length} classes (expected {extra + names.Length}).";
        }

        return reason is null;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 1)
        {
            throw new ArgumentException($"{AdapterName}: got no outputs; expected output0.", nameof(outputs));
        }

        int k = KeypointCount;
        int d = KeypointDims;
        (int channels, int anchors) = YoloDetectionSelector.CheckHead(outputs[0], AdapterName, 5 + (k * d));
        int nc = channels - 4 - (k * d);
        ReadOnlySpan<float> head = outputs[0].Span;

        int cap = Math.Min(anchors, Options.MaxDetections);
        int[] keptAnchors = ArrayPool<int>.Shared.Rent(cap);
        BoxF[] keptBoxes = ArrayPool<BoxF>.Shared.Rent(cap);
        float[] keptScores = ArrayPool<float>.Shared.Rent(cap);
        int[] keptClasses = ArrayPool<int>.Shared.Rent(cap);
        try
        {
            int n = YoloDetectionSelector.Select(head, anchors, nc, Confidence, Options, keptAnchors, keptBoxes, keptScores, keptClasses);
            var boxes = new BoxF[n];
            var scores = new float[n];
            var classIds = new int[n];
            var keypoints = new Keypoint[n * k];
            float w = transform.SourceWidth;
            float h = transform.SourceHeight;
            for (int i = 0; i < n; i++)
            {
                boxes[i] = transform.ToSource(keptBoxes[i]);
                scores[i] = keptScores[i];
                classIds[i] = keptClasses[i];
                int anchor = keptAnchors[i];
                int baseChannel = 4 + nc;
                for (int j = 0; j < k; j++)
                {
                    int ch = baseChannel + (j * d);
                    float x = transform.ToSourceX(head[(ch * anchors) + anchor]);
                    float y = transform.ToSourceY(head[((ch + 1) * anchors) + anchor]);
                    float v = d == 3 ? head[((ch + 2) * anchors) + anchor] : 1f;
                    keypoints[(i * k) + j] = new Keypoint(Math.Clamp(x, 0, w), Math.Clamp(y, 0, h), v);
                }
            }

            return new Instances(boxes, scores, classIds, keypoints: keypoints, keypointsPerInstance: k, classNames: ClassNames);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(keptAnchors);
            ArrayPool<BoxF>.Shared.Return(keptBoxes);
            ArrayPool<float>.Shared.Return(keptScores);
            ArrayPool<int>.Shared.Return(keptClasses);
        }
    }
}
