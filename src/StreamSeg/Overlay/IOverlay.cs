using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Overlay;

/// <summary>Draws one kind of annotation onto a frame's image in place. Settings come in the constructor; the frame and instances in the call.</summary>
public interface IOverlay
{
    /// <summary>Draws onto <paramref name="frame"/>'s image.</summary>
    void Draw(Frame frame, Instances instances);
}
