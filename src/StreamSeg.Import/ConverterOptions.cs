namespace StreamSeg.Import;

/// <summary>Options for <see cref="TfjsToOnnxConverter"/>.</summary>
public sealed class ConverterOptions
{
    /// <summary>
    /// Which branch a TF1 <c>Switch</c> whose predicate cannot be computed at conversion time is resolved to:
    /// <c>false</c> (the default) keeps <c>output_false</c>. RVM switches on <c>downsample_ratio == 1</c>; its references
    /// take the <c>!= 1</c> branch, i.e. <c>false</c>. The predicate's inputs stay graph inputs.
    /// </summary>
    public bool NonConstantSwitchBranch { get; init; }

    /// <summary>The ONNX <c>producer_name</c> written into the model.</summary>
    public string ProducerName { get; init; } = "StreamSeg.Import";
}
