namespace StreamSeg.Models;

/// <summary>COCO category names as torchvision's detection models number them.</summary>
public static class CocoCategories
{
    /// <summary>
    /// The 91-entry list of torchvision's <c>_COCO_CATEGORIES</c>: index = label id, 0 = <c>__background__</c>,
    /// and <c>N/A</c> for the ids COCO left unused (12, 26, 29, 30, 45, 66, 68, 69, 71, 83).
    /// </summary>
    public static IReadOnlyList<string> Torchvision91 { get; } =
    [
        "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A",
        "N/A", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
        "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork", "knife",
        "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
        "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A",
        "toilet", "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
        "toaster", "sink", "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
        "toothbrush",
    ];

    /// <summary>
    /// The 80 COCO detection classes numbered 0..79 (Ultralytics' and TF Object Detection's contiguous order):
    /// <see cref="Torchvision91"/> without <c>__background__</c> and the unused <c>N/A</c> ids.
    /// </summary>
    public static IReadOnlyList<string> Coco80 { get; } = BuildCoco80();

    /// <summary>The label names of torchvision's Keypoint R-CNN weights metadata (<c>no person</c>, <c>person</c>).</summary>
    public static IReadOnlyList<string> PersonOnly { get; } = ["no person", "person"];

    private static string[] BuildCoco80()
    {
        var names = new List<string>(80);
        for (int i = 1; i < Torchvision91.Count; i++)
        {
            if (Torchvision91[i] != "N/A")
            {
                names.Add(Torchvision91[i]);
            }
        }

        return [.. names];
    }
}
