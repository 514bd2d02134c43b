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
}
