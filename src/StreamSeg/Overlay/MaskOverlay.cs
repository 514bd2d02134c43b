using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Overlay;

/// <summary>Fills each instance mask with a translucent colour chosen by track id (or index when untracked).</summary>
/// <remarks>
/// Blending is done in place, pixel by pixel, only inside each mask crop's rectangle (clipped to the frame), so no
/// temporary image is allocated per instance or per frame. Pixels outside every mask are never written. With
/// <see cref="MaskOverlayOptions.DrawContour"/> the mask's one-pixel outline is painted opaque. Instances without a
/// mask are skipped. Example: <c>new MaskOverlay(new MaskOverlayOptions { Alpha = 0.5f })</c>.
/// </remarks>
public sealed class MaskOverlay : IOverlay
{
    private readonly MaskOverlayOptions _options;
    private readonly int _weight;

    /// <summary>Creates the overlay; <paramref name="options"/> is validated here.</summary>
    public MaskOverlay(MaskOverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _weight = PixelBlend.Weight(options.Alpha);
    }

    /// <inheritdoc/>
    public void Draw(Frame frame, Instances instances)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(instances);
        InstanceMask?[]? masks = instances.Masks;
        if (masks is null)
        {
            return;
        }

        PixelBlend.CheckBgr(frame.Image);
        for (int i = 0; i < masks.Length; i++)
        {
            InstanceMask? mask = masks[i];
            if (mask is null)
            {
                continue;
            }

            PixelBlend.BlendMask(frame.Image, mask, TrackPalette.ForInstance(instances.TrackIds, i), _weight, _options.DrawContour);
        }
    }
}
