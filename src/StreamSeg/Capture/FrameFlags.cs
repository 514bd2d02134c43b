using System.Diagnostics.CodeAnalysis;

namespace StreamSeg.Capture;

/// <summary>What a source says about the frame it has just read.</summary>
[Flags]
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A [Flags] enum named for what it is, as BindingFlags or RegexOptions; a rename would touch the capture sources and the pipeline for no gain.")]
public enum FrameFlags
{
    /// <summary>An ordinary frame.</summary>
    None = 0,

    /// <summary>The first frame after a gap in the source (a reconnect): downstream state (tracks, recurrent models) must not carry across it.</summary>
    AfterGap = 1,

    /// <summary>Not a real frame: an "offline" card shown while the source reconnects, so viewers stay connected. Models skip it.</summary>
    Placeholder = 2,
}
