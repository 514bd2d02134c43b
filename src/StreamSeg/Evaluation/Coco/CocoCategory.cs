namespace StreamSeg.Evaluation.Coco;

/// <summary>One entry of a COCO file's <c>categories</c>.</summary>
/// <param name="Id">The category id.</param>
/// <param name="Name">The category name.</param>
/// <param name="Supercategory">The supercategory, empty when the file has none.</param>
public sealed record CocoCategory(int Id, string Name, string Supercategory);
