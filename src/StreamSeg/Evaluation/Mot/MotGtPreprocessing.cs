namespace StreamSeg.Evaluation.Mot;

/// <summary>How ground-truth rows are filtered before evaluation, after TrackEval's <c>MotChallenge2DBox</c>.</summary>
public enum MotGtPreprocessing
{
    /// <summary>
    /// MOT15 rules (the default): every row counts except ground truth whose 7th column, truncated to an integer, is 0
    /// ("zero-marked"). No class column is read. This is also what py-motmetrics does with <c>min_confidence=-1</c>
    /// on files whose ground truth is all 1, such as the TUD-Campus sample.
    /// </summary>
    Mot15,

    /// <summary>
    /// MOT16/17 rules: tracker boxes matched (IoU ≥ 0.5, one Hungarian assignment per frame) to a ground-truth box of
    /// a distractor class (2 person_on_vehicle, 7 static_person, 8 distractor, 12 reflection) are removed, then only
    /// ground truth of class 1 (pedestrian) that is not zero-marked is kept.
    /// </summary>
    Mot17,

    /// <summary>MOT20 rules: as <see cref="Mot17"/>, with class 6 (non_mot_vehicle) also a distractor.</summary>
    Mot20,
}
