namespace StreamSeg.Evaluation.Panoptic;

/// <summary>One entry of a COCO panoptic annotation's <c>segments_info</c>.</summary>
/// <param name="Id">The segment id, as coded in the PNG (R + 256·G + 65536·B); 0 is VOID and cannot be a segment.</param>
/// <param name="CategoryId">The category id.</param>
/// <param name="IsCrowd">Whether the segment is a crowd region (<c>iscrowd: 1</c>; ground truth only).</param>
/// <param name="Area">The <c>area</c> field: used for ground truth; a prediction's area is counted from its PNG.</param>
public sealed record PanopticSegment(int Id, int CategoryId, bool IsCrowd, double Area);
