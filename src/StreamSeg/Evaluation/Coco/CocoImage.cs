namespace StreamSeg.Evaluation.Coco;

/// <summary>One entry of a COCO file's <c>images</c>.</summary>
/// <param name="Id">The image id.</param>
/// <param name="FileName">The <c>file_name</c> (relative to the image folder).</param>
/// <param name="Width">The width in pixels.</param>
/// <param name="Height">The height in pixels.</param>
public sealed record CocoImage(long Id, string FileName, int Width, int Height);
