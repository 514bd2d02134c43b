using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Pipeline;

namespace StreamSeg.Overlay;

/// <summary>An overlay that runs a fixed list of overlays in order (masks first, then boxes, keypoints, HUD).</summary>
/// <remarks>
/// Built either from an explicit list or from <see cref="OverlayOptions"/>, which maps to
/// <see cref="MaskOverlay"/> → <see cref="BoxOverlay"/> → <see cref="KeypointOverlay"/> → <see cref="HudOverlay"/>,
/// leaving out what is switched off. The list is fixed at construction; options cannot change while running.
/// </remarks>
public sealed class OverlayComposer : IOverlay
{
    private readonly IOverlay[] _overlays;

    /// <summary>Creates a composer that runs <paramref name="overlays"/> in the given order.</summary>
    public OverlayComposer(IEnumerable<IOverlay> overlays)
    {
        ArgumentNullException.ThrowIfNull(overlays);
        _overlays = [.. overlays];
        for (int i = 0; i < _overlays.Length; i++)
        {
            if (_overlays[i] is null)
            {
                throw new ArgumentException($"Overlay {i} is null.", nameof(overlays));
            }
        }
    }

    /// <summary>Creates the overlays selected by <paramref name="options"/>; <paramref name="stats"/> is required when the HUD is on.</summary>
    public OverlayComposer(OverlayOptions options, IPipelineStatsView? stats = null)
        : this(Build(options, stats))
    {
    }

    /// <summary>Gets the overlays, in drawing order.</summary>
    public IReadOnlyList<IOverlay> Overlays => _overlays;

    /// <inheritdoc/>
    public void Draw(Frame frame, Instances instances)
    {
        for (int i = 0; i < _overlays.Length; i++)
        {
            _overlays[i].Draw(frame, instances);
        }
    }

    private static List<IOverlay> Build(OverlayOptions options, IPipelineStatsView? stats)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var list = new List<IOverlay>(4);
        if (options.Masks)
        {
            list.Add(new MaskOverlay(new MaskOverlayOptions { Alpha = options.MaskAlpha }));
        }

        if (options.Boxes || options.Labels || options.Scores || options.TrackIds)
        {
            list.Add(new BoxOverlay(new BoxOverlayOptions
            {
                DrawBoxes = options.Boxes,
                ShowClasses = options.Labels,
                ShowScores = options.Scores,
                ShowTrackIds = options.TrackIds,
                LineThickness = options.LineThickness,
            }));
        }

        if (options.Keypoints)
        {
            list.Add(new KeypointOverlay(new KeypointOverlayOptions
            {
                Threshold = options.KeypointThreshold,
                LineThickness = options.LineThickness,
            }));
        }

        if (options.Hud)
        {
            if (stats is null)
            {
                throw new ArgumentNullException(nameof(stats), "OverlayOptions.Hud is on, but no IPipelineStatsView was given to draw it from.");
            }

            list.Add(new HudOverlay(stats, new HudOverlayOptions()));
        }

        return list;
    }
}
