namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// One ground-truth annotation or one detection. Detections loaded by <see cref="CocoDataset.LoadResults(string)"/> get ids
/// 1..N in file order, <see cref="IsCrowd"/> false, and their area and box filled in as pycocotools' <c>loadRes</c> does.
/// </summary>
public sealed class CocoAnnotation
{
    /// <summary>Gets or sets the annotation id (non-zero: 0 would read as "unmatched").</summary>
    public long Id { get; set; }

    /// <summary>Gets or sets the image id.</summary>
    public long ImageId { get; set; }

    /// <summary>Gets or sets the category id.</summary>
    public int CategoryId { get; set; }

    /// <summary>Gets or sets the box <c>[x, y, width, height]</c>, or null when absent.</summary>
    public double[]? Bbox { get; set; }

    /// <summary>Gets or sets the area used for the area ranges (read from the file for ground truth, derived for detections).</summary>
    public double Area { get; set; }

    /// <summary>Gets or sets whether this ground truth is a crowd region.</summary>
    public bool IsCrowd { get; set; }

    /// <summary>Gets or sets the detection score (1 for ground truth).</summary>
    public double Score { get; set; } = 1;

    /// <summary>Gets or sets the segmentation, or null when absent.</summary>
    public CocoSegmentation? Segmentation { get; set; }

    /// <summary>Gets or sets the keypoints as flat <c>[x, y, v, …]</c>, or null when absent.</summary>
    public double[]? Keypoints { get; set; }

    /// <summary>Gets or sets <c>num_keypoints</c> (ground truth; -1 when the file gives none).</summary>
    public int NumKeypoints { get; set; } = -1;
}
