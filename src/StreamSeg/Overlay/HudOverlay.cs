using System.Globalization;
using System.Text;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Overlay;

/// <summary>Draws a heads-up display in a corner box: source id, frame index, FPS, drops, provider and per-stage milliseconds.</summary>
/// <remarks>
/// Figures are read from the <see cref="IPipelineStatsView"/> given to the constructor at draw time; the frame's
/// own metadata supplies the source and index. The box is a translucent dark rectangle blended in place, sized to
/// the text, in <see cref="HudOverlayOptions.Corner"/>. The text builder and line array are reused; the only
/// per-frame allocations are the few line strings OpenCV needs. Example:
/// <c>new HudOverlay(stats, new HudOverlayOptions { Corner = HudCorner.TopRight })</c>.
/// </remarks>
public sealed class HudOverlay : IOverlay
{
    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private const int Padding = 6;
    private static readonly string[] s_shortNames = ["cap", "pre", "inf", "dec", "trk", "ovl", "sink"];
    private readonly IPipelineStatsView _stats;
    private readonly HudOverlayOptions _options;
    private readonly StringBuilder _text = new(128);
    private readonly string[] _lines = new string[5];
    private readonly int _weight;
    private readonly int _fontThickness;

    /// <summary>Creates the HUD over <paramref name="stats"/>; <paramref name="options"/> is validated here.</summary>
    public HudOverlay(IPipelineStatsView stats, HudOverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _stats = stats;
        _options = options;
        _weight = PixelBlend.Weight(options.BackgroundAlpha);
        _fontThickness = options.FontScale >= 0.8 ? 2 : 1;
    }

    /// <inheritdoc/>
    public void Draw(Frame frame, Instances instances)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Mat image = frame.Image;
        PixelBlend.CheckBgr(image);
        FormatLines(frame.Meta, instances?.Count ?? 0);

        int width = 0;
        int lineHeight = 0;
        for (int i = 0; i < _lines.Length; i++)
        {
            Size size = Cv2.GetTextSize(_lines[i], Font, _options.FontScale, _fontThickness, out int baseline);
            width = Math.Max(width, size.Width);
            lineHeight = Math.Max(lineHeight, size.Height + baseline + 2);
        }

        int boxWidth = width + (2 * Padding);
        int boxHeight = (lineHeight * _lines.Length) + (2 * Padding);
        int m = _options.Margin;
        bool right = _options.Corner is HudCorner.TopRight or HudCorner.BottomRight;
        bool bottom = _options.Corner is HudCorner.BottomLeft or HudCorner.BottomRight;
        int left = Math.Max(0, right ? image.Width - m - boxWidth : m);
        int top = Math.Max(0, bottom ? image.Height - m - boxHeight : m);

        PixelBlend.BlendRect(image, new Rect(left, top, boxWidth, boxHeight), Scalar.Black, _weight);
        for (int i = 0; i < _lines.Length; i++)
        {
            var origin = new Point(left + Padding, top + Padding + (lineHeight * (i + 1)) - 4);
            Cv2.PutText(image, _lines[i], origin, Font, _options.FontScale, Scalar.White, _fontThickness, LineTypes.AntiAlias);
        }
    }

    private void FormatLines(FrameMetadata meta, int instanceCount)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        _text.Clear().Append(inv, $"src {meta.SourceId} [{meta.SourceIndex}]  frame {meta.Index}");
        _lines[0] = _text.ToString();
        _text.Clear().Append(inv, $"fps {_stats.FramesPerSecond:0.0}  drops {_stats.DroppedFrames}  inst {instanceCount}");
        _lines[1] = _text.ToString();
        _text.Clear().Append(inv, $"provider {_stats.Provider}");
        _lines[2] = _text.ToString();
        // Stage times on two lines, so the box stays narrow enough for small frames.
        _lines[3] = FormatStages(0, 4, inv);
        _lines[4] = FormatStages(4, PipelineStageInfo.Count, inv);
    }

    private string FormatStages(int first, int end, CultureInfo inv)
    {
        _text.Clear();
        for (int s = first; s < end; s++)
        {
            _text.Append(inv, $"{s_shortNames[s]} {_stats.StageMilliseconds((PipelineStage)s):0.0}  ");
        }

        _text.Append("ms");
        return _text.ToString();
    }
}
