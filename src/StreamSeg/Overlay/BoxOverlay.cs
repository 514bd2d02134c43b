using System.Globalization;
using System.Text;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Overlay;

/// <summary>Draws each instance's box and a label "<c>#&lt;track&gt; &lt;class&gt; &lt;score&gt;</c>" in the instance's colour.</summary>
/// <remarks>
/// Every part (box, track id, class, score) can be switched off in <see cref="BoxOverlayOptions"/>; when all label
/// parts are off no label is drawn. The label sits on a filled tab above the box, or inside the box when there is no
/// room above. Colours come from <see cref="TrackPalette"/> by track id, or by index when untracked. The label
/// builder is reused, so the only per-instance allocation is the label string OpenCV needs.
/// Example: <c>new BoxOverlay(new BoxOverlayOptions { ShowScores = false })</c>.
/// </remarks>
public sealed class BoxOverlay : IOverlay
{
    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private readonly BoxOverlayOptions _options;
    private readonly StringBuilder _label = new(64);
    private readonly int _fontThickness;

    /// <summary>Creates the overlay; <paramref name="options"/> is validated here.</summary>
    public BoxOverlay(BoxOverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _fontThickness = Math.Max(1, (int)Math.Round(options.FontScale * 2));
    }

    /// <inheritdoc/>
    public void Draw(Frame frame, Instances instances)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        Mat image = frame.Image;
        for (int i = 0; i < instances.Count; i++)
        {
            BoxF box = instances.Boxes[i];
            if (!float.IsFinite(box.X1) || !float.IsFinite(box.Y1) || !float.IsFinite(box.X2) || !float.IsFinite(box.Y2))
            {
                continue;
            }

            box = box.Clip(image.Width - 1, image.Height - 1);
            var topLeft = new Point((int)MathF.Round(box.X1), (int)MathF.Round(box.Y1));
            var bottomRight = new Point((int)MathF.Round(box.X2), (int)MathF.Round(box.Y2));
            Scalar color = TrackPalette.ForInstance(instances.TrackIds, i);
            if (_options.DrawBoxes)
            {
                Cv2.Rectangle(image, topLeft, bottomRight, color, _options.LineThickness, LineTypes.Link8);
            }

            if (BuildLabel(instances, i))
            {
                DrawLabel(image, _label.ToString(), topLeft, color);
            }
        }
    }

    private bool BuildLabel(Instances instances, int i)
    {
        _label.Clear();
        if (_options.ShowTrackIds && instances.TrackIds is not null)
        {
            _label.Append('#').Append(instances.TrackIds[i]);
        }

        if (_options.ShowClasses)
        {
            AppendSeparator();
            _label.Append(instances.ClassName(instances.ClassIds[i]));
        }

        if (_options.ShowScores)
        {
            AppendSeparator();
            _label.Append(CultureInfo.InvariantCulture, $"{instances.Scores[i]:0.00}");
        }

        return _label.Length > 0;
    }

    private void AppendSeparator()
    {
        if (_label.Length > 0)
        {
            _label.Append(' ');
        }
    }

    private void DrawLabel(Mat image, string text, Point anchor, Scalar color)
    {
        Size size = Cv2.GetTextSize(text, Font, _options.FontScale, _fontThickness, out int baseline);
        int tabHeight = size.Height + baseline + 2;
        // Above the box when it fits, otherwise just inside its top edge.
        int top = anchor.Y - tabHeight >= 0 ? anchor.Y - tabHeight : anchor.Y;
        int left = Math.Clamp(anchor.X, 0, Math.Max(0, image.Width - size.Width - 2));
        Cv2.Rectangle(image, new Rect(left, top, size.Width + 2, tabHeight), color, -1, LineTypes.Link8);
        Scalar textColor = Luma(color) > 140 ? Scalar.Black : Scalar.White;
        Cv2.PutText(image, text, new Point(left + 1, top + size.Height + 1), Font, _options.FontScale, textColor, _fontThickness, LineTypes.AntiAlias);
    }

    private static double Luma(Scalar bgr) => (0.114 * bgr.Val0) + (0.587 * bgr.Val1) + (0.299 * bgr.Val2);
}
