namespace StreamSeg.Evaluation.Coco;

/// <summary>One summary statistic of the standard table: AP or AR at an IoU threshold (or over all), an area range and a detection limit.</summary>
/// <param name="Name">The stat's name (AP, AP50, …, ARl).</param>
/// <param name="IsPrecision">True for average precision, false for average recall.</param>
/// <param name="IouThreshold">The single IoU threshold, or null for the mean over 0.50:0.95.</param>
/// <param name="Area">The area range's label.</param>
/// <param name="MaxDets">The detections kept per image.</param>
public sealed record CocoStat(string Name, bool IsPrecision, double? IouThreshold, string Area, int MaxDets);
