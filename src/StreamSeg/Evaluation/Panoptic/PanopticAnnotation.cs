namespace StreamSeg.Evaluation.Panoptic;

/// <summary>One image of a COCO panoptic JSON (<c>annotations[]</c>): its PNG and its segments.</summary>
/// <param name="ImageId">The image id as written (a number or a string).</param>
/// <param name="FileName">The PNG's file name, relative to the folder of PNGs.</param>
/// <param name="Segments">The segments, in file order.</param>
public sealed record PanopticAnnotation(string ImageId, string FileName, IReadOnlyList<PanopticSegment> Segments);
