using System.Diagnostics.CodeAnalysis;

namespace StreamSeg.Sinks;

/// <summary>How <see cref="NdjsonMetadataSink"/> writes a mask's COCO RLE <c>counts</c> (config names <c>counts</c> and <c>string</c>).</summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The member is the config value `string` (pycocotools' compressed RLE string); renaming it would change the config key's value.")]
public enum RleFormat
{
    /// <summary>Uncompressed: <c>counts</c> is a JSON array of run lengths.</summary>
    Counts,

    /// <summary>Compressed: <c>counts</c> is pycocotools' ASCII string (what COCO result files and <c>mask.decode</c> take).</summary>
    String,
}
