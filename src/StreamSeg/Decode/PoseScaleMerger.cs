namespace StreamSeg.Decode;

/// <summary>
/// Merges the people one pose model found on the same frame at several input sizes (MoveNet MultiPose at long side
/// 512, which finds small, far people, and 256, the size it was trained at, which finds people who fill the frame):
/// greedy non-maximum suppression across the scales by person score. A person of one scale is dropped as a duplicate
/// of a kept person of the other scale when their boxes overlap (IoU above <see cref="IouThreshold"/>) or their
/// keypoints agree (object keypoint similarity above <see cref="OksThreshold"/>), and as a blend when kept people of
/// the other scale, each smaller than it, cover more than <see cref="BlendCoverage"/> of its box. People of one scale
/// never suppress each other: the model's own decoder already separated them. The kept person (the best score) keeps
/// its box, score and keypoints; a keypoint it did not see (score at or below <see cref="KeypointThreshold"/>) is
/// taken from a duplicate that saw it better.
/// </summary>
/// <remarks>
/// <para>What each rule is for, from the scales' people on messi5.jpg, basketball1.png and vtest.avi: one scale often
/// sees only part of a close-up person (messi5.jpg at 512: half the body, box IoU 0.6 with the whole player at 256),
/// which the box test catches; keypoints that coincide catch a duplicate whose box is cut differently (a raised arm).
/// At 256, two far pedestrians walking side by side sometimes come out as one person whose box spans both (vtest.avi
/// frames 88–95), overlapping each of the two that 512 found by IoU 0.3–0.45: the coverage test drops it. It counts
/// only smaller kept people, so a far person that 512 finds inside the box of a close-up person is kept. A person
/// only 256 finds next to one 512 found (vtest.avi frame 71: covered 0.26) is kept.</para>
/// <para>Why not the more confident keypoint everywhere: on messi5.jpg that swaps four of the 256 scale's keypoints for
/// those of the partial person at 512, two of them farther from TF.js's own result and one nearer; keeping the best
/// person's keypoints keeps each scale's people as the reference gives them, and filling only the unseen ones adds
/// what the other scale saw without mixing two estimates of a visible joint.</para>
/// <para>OKS is COCO's: <c>mean exp(−d² / (2 s² κ²))</c> over the keypoints confident in both (score above
/// <see cref="KeypointThreshold"/>), with s² the kept person's box area and κ the COCO per-keypoint constants; fewer
/// than <see cref="MinSharedKeypoints"/> such keypoints give 0. Coverage sums the intersections (kept people of one
/// scale barely overlap). Ties in score keep the earlier scale's person. Few people per frame: the quadratic scan is
/// cheap.</para>
/// </remarks>
public sealed class PoseScaleMerger
{
    /// <summary>The default IoU above which two people are one.</summary>
    public const float DefaultIouThreshold = 0.5f;

    /// <summary>The default OKS above which two people are one.</summary>
    public const float DefaultOksThreshold = 0.5f;

    /// <summary>The default share of a person's box that smaller people of the other scale must cover for it to be a blend of them.</summary>
    public const float DefaultBlendCoverage = 0.6f;

    /// <summary>The fewest keypoints confident in both people for OKS to count.</summary>
    public const int MinSharedKeypoints = 3;

    // COCO's per-keypoint OKS sigmas, the evaluator's own table (in float for the per-frame merge); κ = 2σ.
    private static readonly float[] s_cocoSigmas = ToFloats(Evaluation.Coco.CocoEvalParameters.CocoKeypointSigmas);

    /// <summary>Creates the merger.</summary>
    /// <param name="iouThreshold">Two people are one when their box IoU is strictly above this.</param>
    /// <param name="oksThreshold">Two people are one when their OKS is strictly above this.</param>
    /// <param name="keypointThreshold">The keypoint score above which a keypoint is seen: it takes part in OKS and is not replaced by a duplicate's.</param>
    /// <param name="blendCoverage">A person is a blend when smaller people of the other scale cover strictly more than this share of its box (above 1: never).</param>
    public PoseScaleMerger(float iouThreshold = DefaultIouThreshold, float oksThreshold = DefaultOksThreshold, float keypointThreshold = 0.3f, float blendCoverage = DefaultBlendCoverage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iouThreshold);
        ArgumentOutOfRangeException.ThrowIfNegative(oksThreshold);
        ArgumentOutOfRangeException.ThrowIfNegative(keypointThreshold);
        ArgumentOutOfRangeException.ThrowIfNegative(blendCoverage);
        IouThreshold = iouThreshold;
        OksThreshold = oksThreshold;
        KeypointThreshold = keypointThreshold;
        BlendCoverage = blendCoverage;
    }

    /// <summary>Gets the share of a person's box that smaller people of the other scale must cover for it to be a blend of them.</summary>
    public float BlendCoverage { get; }

    /// <summary>Gets the box IoU above which two people are one.</summary>
    public float IouThreshold { get; }

    /// <summary>Gets the OKS above which two people are one.</summary>
    public float OksThreshold { get; }

    /// <summary>Gets the keypoint score above which a keypoint is seen: it takes part in OKS and is not replaced by a duplicate's.</summary>
    public float KeypointThreshold { get; }

    /// <summary>
    /// Merges <paramref name="second"/> (the same model at another input size) into <paramref name="first"/>; the
    /// result holds the kept people, best score first, with <paramref name="first"/>'s class names.
    /// </summary>
    public Instances Merge(Instances first, Instances second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (second.Count == 0)
        {
            return first;
        }

        if (first.Count == 0)
        {
            return second;
        }

        int k = first.KeypointsPerInstance;
        if (k != second.KeypointsPerInstance)
        {
            throw new ArgumentException($"Both scales must give the same keypoints per person; got {k} and {second.KeypointsPerInstance}.", nameof(second));
        }

        int total = first.Count + second.Count;
        Span<int> order = total <= 64 ? stackalloc int[total] : new int[total];
        for (int i = 0; i < total; i++)
        {
            order[i] = i;
        }

        // Insertion sort by score, highest first, stable: ties keep the first scale's person first.
        for (int i = 1; i < total; i++)
        {
            int c = order[i];
            float s = ScoreOf(first, second, c);
            int j = i - 1;
            while (j >= 0 && ScoreOf(first, second, order[j]) < s)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = c;
        }

        int kept = 0;
        var keypoints = k > 0 ? new Keypoint[total * k] : null;
        var boxes = new BoxF[total];
        var scores = new float[total];
        var classes = new int[total];
        Span<bool> keptFromFirst = total <= 64 ? stackalloc bool[total] : new bool[total];
        foreach (int c in order)
        {
            bool fromFirst = c < first.Count;
            Instances set = fromFirst ? first : second;
            int index = fromFirst ? c : c - first.Count;
            BoxF box = set.Boxes[index];
            int same = -1;
            float covered = 0;
            for (int m = 0; m < kept && same < 0; m++)
            {
                if (keptFromFirst[m] == fromFirst)
                {
                    continue;
                }

                if (IsSamePerson(boxes[m], keypoints is null ? default : keypoints.AsSpan(m * k, k), box, set.KeypointsOf(index)))
                {
                    same = m;
                }
                else if (boxes[m].Area < box.Area)
                {
                    covered += Intersection(boxes[m], box);
                }
            }

            if (same < 0 && covered > BlendCoverage * box.Area)
            {
                // A blend of people the other scale already found: nothing of it to keep.
                continue;
            }

            if (same < 0)
            {
                boxes[kept] = box;
                scores[kept] = set.Scores[index];
                classes[kept] = set.ClassIds[index];
                set.KeypointsOf(index).CopyTo(keypoints.AsSpan(kept * k, k));
                keptFromFirst[kept] = fromFirst;
                kept++;
                continue;
            }

            // A duplicate: the kept person takes the keypoints it did not see and the duplicate saw better.
            if (keypoints is not null)
            {
                Span<Keypoint> mine = keypoints.AsSpan(same * k, k);
                ReadOnlySpan<Keypoint> theirs = set.KeypointsOf(index);
                for (int j = 0; j < k; j++)
                {
                    if (mine[j].Score <= KeypointThreshold && theirs[j].Score > mine[j].Score)
                    {
                        mine[j] = theirs[j];
                    }
                }
            }
        }

        return new Instances(
            boxes.AsSpan(0, kept).ToArray(),
            scores.AsSpan(0, kept).ToArray(),
            classes.AsSpan(0, kept).ToArray(),
            keypoints: keypoints?.AsSpan(0, kept * k).ToArray(),
            keypointsPerInstance: k,
            classNames: first.ClassNames.Count > 0 ? first.ClassNames : second.ClassNames);
    }

    /// <summary>
    /// Gets COCO's object keypoint similarity of <paramref name="candidate"/> to <paramref name="reference"/> (box area
    /// <paramref name="area"/>) over the keypoints confident in both, or 0 with fewer than <see cref="MinSharedKeypoints"/>.
    /// </summary>
    public float Oks(ReadOnlySpan<Keypoint> reference, float area, ReadOnlySpan<Keypoint> candidate)
    {
        if (reference.Length != candidate.Length || area <= 0)
        {
            return 0;
        }

        float sum = 0;
        int shared = 0;
        for (int j = 0; j < reference.Length; j++)
        {
            if (reference[j].Score <= KeypointThreshold || candidate[j].Score <= KeypointThreshold)
            {
                continue;
            }

            float sigma = j < s_cocoSigmas.Length ? s_cocoSigmas[j] : 0.05f;
            float kappa = 2 * sigma;
            float dx = reference[j].X - candidate[j].X;
            float dy = reference[j].Y - candidate[j].Y;
            sum += MathF.Exp(-((dx * dx) + (dy * dy)) / (2 * area * kappa * kappa));
            shared++;
        }

        return shared < MinSharedKeypoints ? 0 : sum / shared;
    }

    private static float Intersection(in BoxF a, in BoxF b)
    {
        float iw = MathF.Min(a.X2, b.X2) - MathF.Max(a.X1, b.X1);
        float ih = MathF.Min(a.Y2, b.Y2) - MathF.Max(a.Y1, b.Y1);
        return iw > 0 && ih > 0 ? iw * ih : 0;
    }

    private static float ScoreOf(Instances first, Instances second, int c) =>
        c < first.Count ? first.Scores[c] : second.Scores[c - first.Count];

    private bool IsSamePerson(in BoxF keptBox, ReadOnlySpan<Keypoint> keptKeypoints, in BoxF box, ReadOnlySpan<Keypoint> candidate) =>
        BoxF.IoU(keptBox, box) > IouThreshold || Oks(keptKeypoints, keptBox.Area, candidate) > OksThreshold;

    private static float[] ToFloats(IReadOnlyList<double> values)
    {
        var result = new float[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }
}
