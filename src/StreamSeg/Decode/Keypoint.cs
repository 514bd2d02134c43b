namespace StreamSeg.Decode;

/// <summary>One keypoint in frame pixels with its confidence in 0..1 (or the model's raw score where it has no probability).</summary>
public readonly record struct Keypoint(float X, float Y, float Score);
