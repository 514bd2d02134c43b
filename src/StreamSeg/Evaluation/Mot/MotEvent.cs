namespace StreamSeg.Evaluation.Mot;

/// <summary>One event of a <see cref="MotAccumulator"/>.</summary>
/// <param name="Frame">The frame id given to <see cref="MotAccumulator.Update"/>.</param>
/// <param name="Type">The event type.</param>
/// <param name="ObjectId">The ground-truth id, or null for a false positive.</param>
/// <param name="HypothesisId">The hypothesis id, or null for a miss.</param>
/// <param name="Distance">The pair's distance, or NaN for a miss or a false positive.</param>
public readonly record struct MotEvent(long Frame, MotEventType Type, int? ObjectId, int? HypothesisId, double Distance);
