namespace StreamSeg.Models;

/// <summary>What a model produces.</summary>
public enum ModelTask
{
    /// <summary>Boxes, classes and instance masks.</summary>
    Segment,

    /// <summary>Person boxes and keypoints.</summary>
    Pose,

    /// <summary>Boxes and classes only.</summary>
    Detect,

    /// <summary>One alpha map for the whole frame (see <see cref="IMatteAdapter"/>).</summary>
    Matte,
}
