namespace StreamSeg.Decode;

/// <summary>
/// Merges the instances of a segmentation model with those of a pose model run on the same frame: each pose is
/// attached to the person instance whose box it overlaps most (IoU ≥ <see cref="MinIoU"/>); poses that match no
/// person are kept as person instances without a mask.
/// </summary>
public sealed class InstanceMerger
{
    /// <summary>Creates the merger.</summary>
    public InstanceMerger(float minIoU = 0.3f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minIoU);
        MinIoU = minIoU;
    }

    /// <summary>Gets the smallest box IoU at which a pose is attached to a person.</summary>
    public float MinIoU { get; }

    /// <summary>
    /// Merges <paramref name="pose"/> into <paramref name="segments"/>; person is the class named "person", or id 0
    /// when the segments have no class names. When they have names but no person class (a model trained on other
    /// classes), no segment takes a pose, and the poses are kept as instances of a "person" class added after theirs.
    /// </summary>
    public Instances Merge(Instances segments, Instances pose)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(pose);
        if (pose.Count == 0 || pose.Keypoints is null)
        {
            return segments;
        }

        int k = pose.KeypointsPerInstance;
        IReadOnlyList<string> names = segments.ClassNames.Count > 0 ? segments.ClassNames : pose.ClassNames;
        int personId = segments.ClassIdOf("person");
        if (personId < 0)
        {
            personId = segments.ClassNames.Count;
            names = personId == 0 ? names : [.. names, "person"];
        }

        int[] poseForSegment = new int[segments.Count];
        Array.Fill(poseForSegment, -1);
        bool[] poseUsed = new bool[pose.Count];

        // Greedy by IoU, best pairs first: few instances per frame, so the quadratic scan is cheap.
        while (true)
        {
            float best = MinIoU;
            int bs = -1;
            int bp = -1;
            for (int s = 0; s < segments.Count; s++)
            {
                if (poseForSegment[s] >= 0 || segments.ClassIds[s] != personId)
                {
                    continue;
                }

                for (int p = 0; p < pose.Count; p++)
                {
                    if (poseUsed[p])
                    {
                        continue;
                    }

                    float iou = BoxF.IoU(segments.Boxes[s], pose.Boxes[p]);
                    if (iou >= best)
                    {
                        best = iou;
                        bs = s;
                        bp = p;
                    }
                }
            }

            if (bs < 0)
            {
                break;
            }

            poseForSegment[bs] = bp;
            poseUsed[bp] = true;
        }

        int extra = 0;
        foreach (bool used in poseUsed)
        {
            extra += used ? 0 : 1;
        }

        int n = segments.Count + extra;
        var boxes = new BoxF[n];
        var scores = new float[n];
        var classes = new int[n];
        var masks = new InstanceMask?[n];
        var keypoints = new Keypoint[n * k];
        for (int s = 0; s < segments.Count; s++)
        {
            boxes[s] = segments.Boxes[s];
            scores[s] = segments.Scores[s];
            classes[s] = segments.ClassIds[s];
            masks[s] = segments.Masks?[s];
            if (poseForSegment[s] >= 0)
            {
                pose.KeypointsOf(poseForSegment[s]).CopyTo(keypoints.AsSpan(s * k, k));
            }
        }

        int j = segments.Count;
        for (int p = 0; p < pose.Count; p++)
        {
            if (poseUsed[p])
            {
                continue;
            }

            boxes[j] = pose.Boxes[p];
            scores[j] = pose.Scores[p];
            classes[j] = personId;
            pose.KeypointsOf(p).CopyTo(keypoints.AsSpan(j * k, k));
            j++;
        }

        return new Instances(boxes, scores, classes, masks, keypoints, k, null, names);
    }
}
