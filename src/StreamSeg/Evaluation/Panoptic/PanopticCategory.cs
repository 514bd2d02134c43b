namespace StreamSeg.Evaluation.Panoptic;

/// <summary>A category of a COCO panoptic ground truth (<c>categories[]</c>).</summary>
/// <param name="Id">The category id.</param>
/// <param name="Name">The category name.</param>
/// <param name="IsThing">Whether it is a thing (countable object, <c>isthing: 1</c>) rather than stuff.</param>
public sealed record PanopticCategory(int Id, string Name, bool IsThing);
