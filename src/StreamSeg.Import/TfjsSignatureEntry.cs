namespace StreamSeg.Import;

/// <summary>One named input or output of a TF.js graph model's signature.</summary>
/// <param name="Key">The signature key, e.g. <c>fgr</c> or <c>input_1:0</c>.</param>
/// <param name="TensorName">The graph tensor, e.g. <c>Identity_1:0</c>.</param>
/// <param name="DataType">The declared element type.</param>
/// <param name="Shape">The declared shape (<c>-1</c> = dynamic), or <c>null</c> when the rank is unknown.</param>
public sealed record TfjsSignatureEntry(string Key, string TensorName, TfDataType DataType, long[]? Shape);
