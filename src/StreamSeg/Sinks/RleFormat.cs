namespace StreamSeg.Sinks;

/// <summary>How <see cref="NdjsonMetadataSink"/> writes a mask's COCO RLE <c>counts</c> (config names <c>counts</c> and <c>string</c>).</summary>
public enum RleFormat
{
    /// <summary>Uncompressed: <c>counts</c> is a JSON array of run lengths.</summary>
    Counts,

    /// <summary>Compressed: <c>counts</c> is pycocotools' ASCII string (what COCO result files and <c>mask.decode</c> take).</summary>
    String,
}
