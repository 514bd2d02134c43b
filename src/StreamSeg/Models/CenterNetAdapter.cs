using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes the MobileNetV3 CenterNet of Human (<c>610265158/mobilenetv3_centernet</c>, as imported from TF.js):
/// input <c>tower_0/images</c> float <c>[1,512,512,3]</c> RGB 0..255 (not normalised); the output
/// <c>tower_0/detections</c> <c>[1,100,6]</c> holds x1, y1, x2, y2 in input pixels, score and a 0-based COCO-80
/// class. The heatmap outputs (<c>tower_0/wh</c>, <c>tower_0/keypoints</c>) are not read.
/// </summary>
/// <remarks>
/// As Human does: the frame is stretched to 512×512 (no padding, TF asymmetric bilinear, rounded to 8 bits);
/// detections with score strictly above the confidence threshold (default 0.2) go through class-agnostic NMS at
/// IoU 0.4 keeping at most 20 (or <see cref="AdapterOptions.MaxDetections"/> if lower), best first; boxes are then
/// scaled per axis back to the frame and clipped. The NMS IoU is fixed at Human's 0.4: the shared
/// <see cref="AdapterOptions.IouThreshold"/> defaults to Ultralytics' 0.7 and is not applied here.
/// </remarks>
public sealed class CenterNetAdapter : ModelAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "centernet";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [1,512,512,3] float (tower_0/images; NHWC RGB 0..255); outputs include tower_0/detections [1,100,6] float " +
        "(x1,y1,x2,y2 in input pixels, score, class 0..79), usually with tower_0/wh [1,128,128,4] and tower_0/keypoints [1,128,128,80]";

    /// <summary>The IoU above which NMS suppresses a box (Human's default).</summary>
    public const float NmsIouThreshold = 0.4f;

    /// <summary>The most detections kept (Human's default).</summary>
    public const int DefaultMaxDetections = 20;

    private const float DefaultConfidence = 0.2f;
    private const string DetectionsName = "tower_0/detections";

    private readonly int _maxDetections;
    private readonly int _detectionsIndex;

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public CenterNetAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Detect, signature, options, TryMatch, DefaultConfidence)
    {
        ClassNames = CocoCategories.Coco80;
        _maxDetections = Math.Min(DefaultMaxDetections, options.MaxDetections);
        _detectionsIndex = DetectionsIndex(signature);
        Input = TfImageInput.Create(signature.Inputs[0], 512, 1f);
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = TfImageInput.CheckFloatNhwc(signature);
        if (reason is not null)
        {
            return false;
        }

        if (DetectionsIndex(signature) < 0)
        {
            reason = $"expects an output '{DetectionsName}' [1,N,6] (or exactly one float [1,N,6] output).";
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        RawTensor det = outputs.Count > _detectionsIndex ? outputs[_detectionsIndex] : throw new ArgumentException(
            $"{AdapterName}: got {outputs.Count} outputs; '{DetectionsName}' is output {_detectionsIndex}.", nameof(outputs));
        if (det.Shape.Length != 3 || det.Shape[2] != 6)
        {
            throw new ArgumentException($"{AdapterName}: output '{det.Name}' has shape {det.ShapeText}; expected [1,N,6].", nameof(outputs));
        }

        ReadOnlySpan<float> data = det.Span;
        int rows = (int)det.Shape[1];
        BoxF[] candBoxes = ArrayPool<BoxF>.Shared.Rent(Math.Max(1, rows));
        float[] candScores = ArrayPool<float>.Shared.Rent(Math.Max(1, rows));
        int[] candRows = ArrayPool<int>.Shared.Rent(Math.Max(1, rows));
        int[] keep = ArrayPool<int>.Shared.Rent(Math.Max(1, rows));
        try
        {
            int c = 0;
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> row = data.Slice(r * 6, 6);
                if (row[4] > Confidence)
                {
                    // NMS runs in input space, before clipping, as Human's does.
                    candBoxes[c] = new BoxF(row[0], row[1], row[2], row[3]);
                    candScores[c] = row[4];
                    candRows[c] = r;
                    c++;
                }
            }

            int n = Nms.Run(candBoxes.AsSpan(0, c), candScores.AsSpan(0, c), default, NmsIouThreshold, _maxDetections, classAgnostic: true, keep);
            var boxes = new BoxF[n];
            var scores = new float[n];
            var classIds = new int[n];
            for (int i = 0; i < n; i++)
            {
                int k = keep[i];
                boxes[i] = transform.ToSource(candBoxes[k]);
                scores[i] = candScores[k];
                classIds[i] = (int)data[(candRows[k] * 6) + 5];
            }

            return new Instances(boxes, scores, classIds, classNames: CocoCategories.Coco80);
        }
        finally
        {
            ArrayPool<BoxF>.Shared.Return(candBoxes);
            ArrayPool<float>.Shared.Return(candScores);
            ArrayPool<int>.Shared.Return(candRows);
            ArrayPool<int>.Shared.Return(keep);
        }
    }

    private static int DetectionsIndex(ModelSignature signature)
    {
        int byShape = -1;
        int shaped = 0;
        for (int i = 0; i < signature.Outputs.Count; i++)
        {
            TensorSignature o = signature.Outputs[i];
            bool fits = UltralyticsMetadata.IsFloat(o) && MoveNetMultiPoseAdapter.ShapeIs(o.Shape, 1, -1, 6);
            bool named = o.Name == DetectionsName || o.Name == DetectionsName + ":0";
            if (named && UltralyticsMetadata.IsFloat(o) && (fits || o.Shape.Length == 0))
            {
                return i;
            }

            if (fits)
            {
                byShape = i;
                shaped++;
            }
        }

        return shaped == 1 ? byShape : -1;
    }
}
