namespace StreamSeg.Overlay;

/// <summary>The COCO-17 person keypoints: names in model order and the standard 19-edge skeleton, 0-indexed.</summary>
public static class CocoKeypoints
{
    /// <summary>The number of COCO keypoints.</summary>
    public const int Count = 17;

    private static readonly string[] s_names =
    [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear",
        "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
        "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    ];

    // COCO person_keypoints "skeleton" (1-indexed there), as used by ultralytics' Annotator.skeleton, minus one.
    private static readonly (int From, int To)[] s_skeleton =
    [
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
        (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ];

    /// <summary>Gets the keypoint names in COCO order (0 nose … 16 right_ankle).</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>Gets the 19 skeleton edges as 0-based keypoint index pairs.</summary>
    public static IReadOnlyList<(int From, int To)> Skeleton => s_skeleton;
}
