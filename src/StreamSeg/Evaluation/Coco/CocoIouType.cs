namespace StreamSeg.Evaluation.Coco;

/// <summary>What a COCO evaluation compares (pycocotools' <c>iouType</c>).</summary>
public enum CocoIouType
{
    /// <summary>Boxes, by box IoU.</summary>
    Bbox,

    /// <summary>Masks (polygons or RLE), by mask IoU.</summary>
    Segm,

    /// <summary>Person keypoints, by object keypoint similarity (OKS).</summary>
    Keypoints,
}
