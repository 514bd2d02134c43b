using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Overlay;

/// <summary>Draws each instance's keypoints and skeleton; points below the score threshold are not drawn at all.</summary>
/// <remarks>
/// An edge is drawn only when both of its ends reach <see cref="KeypointOverlayOptions.Threshold"/> (default 0.3),
/// in the instance's <see cref="TrackPalette"/> colour. Points are translucent discs blended in place; with
/// <see cref="KeypointOverlayOptions.ScaleByConfidence"/> their radius and opacity grow with the score. For COCO-17
/// the points are coloured by side (nose green, left orange, right blue); for other layouts they take the
/// instance colour. The skeleton defaults to <see cref="CocoKeypoints.Skeleton"/> for 17 keypoints; edges whose
/// indices exceed an instance's keypoint count are ignored. Example:
/// <c>new KeypointOverlay(new KeypointOverlayOptions { Threshold = 0.5f })</c>.
/// </remarks>
public sealed class KeypointOverlay : IOverlay
{
    private static readonly Scalar s_noseColor = new(0, 200, 0);
    private static readonly Scalar s_leftColor = new(0, 140, 255);
    private static readonly Scalar s_rightColor = new(255, 128, 0);
    private readonly KeypointOverlayOptions _options;

    /// <summary>Creates the overlay; <paramref name="options"/> is validated here.</summary>
    public KeypointOverlay(KeypointOverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <inheritdoc/>
    public void Draw(Frame frame, Instances instances)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        int k = instances.KeypointsPerInstance;
        if (instances.Keypoints is null || k == 0)
        {
            return;
        }

        Mat image = frame.Image;
        PixelBlend.CheckBgr(image);
        IReadOnlyList<(int From, int To)>? skeleton = _options.Skeleton ?? (k == CocoKeypoints.Count ? CocoKeypoints.Skeleton : null);
        for (int i = 0; i < instances.Count; i++)
        {
            ReadOnlySpan<Keypoint> points = instances.KeypointsOf(i);
            Scalar color = TrackPalette.ForInstance(instances.TrackIds, i);
            if (skeleton is not null && _options.LineThickness > 0)
            {
                DrawEdges(image, points, skeleton, color);
            }

            for (int j = 0; j < points.Length; j++)
            {
                Keypoint p = points[j];
                if (!IsShown(p))
                {
                    continue;
                }

                Scalar pointColor = k == CocoKeypoints.Count ? CocoSideColor(j) : color;
                float t = _options.ScaleByConfidence ? Confidence(p.Score) : 1f;
                int radius = (int)MathF.Round(_options.PointRadius * (0.5f + (0.5f * t)));
                int weight = PixelBlend.Weight(0.35f + (0.65f * t));
                PixelBlend.BlendDisc(image, ToPixel(p.X), ToPixel(p.Y), radius, pointColor, weight);
            }
        }
    }

    private void DrawEdges(Mat image, ReadOnlySpan<Keypoint> points, IReadOnlyList<(int From, int To)> skeleton, Scalar color)
    {
        for (int e = 0; e < skeleton.Count; e++)
        {
            (int from, int to) = skeleton[e];
            if (from >= points.Length || to >= points.Length)
            {
                continue;
            }

            Keypoint a = points[from];
            Keypoint b = points[to];
            if (!IsShown(a) || !IsShown(b))
            {
                continue;
            }

            Cv2.Line(image, new Point(ToPixel(a.X), ToPixel(a.Y)), new Point(ToPixel(b.X), ToPixel(b.Y)), color, _options.LineThickness, LineTypes.AntiAlias);
        }
    }

    private bool IsShown(in Keypoint p) => p.Score >= _options.Threshold && float.IsFinite(p.X) && float.IsFinite(p.Y);

    // 0 at the threshold, 1 at a score of 1; a threshold of 1 or more makes every shown point fully confident.
    private float Confidence(float score) =>
        _options.Threshold >= 1f ? 1f : Math.Clamp((score - _options.Threshold) / (1f - _options.Threshold), 0f, 1f);

    // Keeps far-off coordinates inside int range; OpenCV and the blender clip to the image.
    private static int ToPixel(float v) => (int)MathF.Round(Math.Clamp(v, -1e6f, 1e6f));

    private static Scalar CocoSideColor(int index) => index == 0 ? s_noseColor : (index % 2 == 1 ? s_leftColor : s_rightColor);
}
