namespace StreamSeg.Models;

/// <summary>Decoding thresholds shared by the adapters (placeholder until the adapters land).</summary>
public sealed record AdapterOptions(float ConfidenceThreshold = 0.25f, float IouThreshold = 0.7f, int MaxDetections = 300, float MaskThreshold = 0.5f);
