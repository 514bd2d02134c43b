namespace StreamSeg.Evaluation.Mot;

/// <summary>
/// One row of a MOTChallenge text file: <c>frame, id, bb_left, bb_top, bb_width, bb_height, conf, x, y, z</c>
/// (MOT15) or <c>…, conf, class, visibility</c> (MOT16/17/20 ground truth).
/// </summary>
/// <param name="Frame">The 1-based frame number.</param>
/// <param name="Id">The object or track id.</param>
/// <param name="Left">bb_left, in pixels.</param>
/// <param name="Top">bb_top, in pixels.</param>
/// <param name="Width">bb_width, in pixels.</param>
/// <param name="Height">bb_height, in pixels.</param>
/// <param name="Confidence">The 7th column: the detection score, or in ground truth the "consider" flag (0 = ignore).</param>
/// <param name="ClassId">The 8th column (MOT16+ ground truth class; the world x in MOT15 files); -1 when absent.</param>
public readonly record struct MotDetection(int Frame, int Id, double Left, double Top, double Width, double Height, double Confidence, double ClassId);
