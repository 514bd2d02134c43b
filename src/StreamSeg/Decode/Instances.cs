namespace StreamSeg.Decode;

/// <summary>
/// The instances found in one frame, as parallel arrays (struct of arrays): boxes, scores, class ids, and optionally
/// masks, keypoints and track ids. Coordinates are in frame pixels. Data only: drawing is done by overlays and
/// writing by sinks.
/// </summary>
public sealed class Instances
{
    private static readonly string[] s_noNames = [];

    /// <summary>An empty set.</summary>
    public static readonly Instances Empty = new([], [], []);

    /// <summary>Creates a set of instances; every array given must have one entry per instance.</summary>
    /// <param name="boxes">One box per instance.</param>
    /// <param name="scores">One score per instance.</param>
    /// <param name="classIds">One class id per instance (index into <paramref name="classNames"/>).</param>
    /// <param name="masks">Optional; one mask (or null) per instance.</param>
    /// <param name="keypoints">Optional; <paramref name="keypointsPerInstance"/> keypoints per instance, instance-major.</param>
    /// <param name="keypointsPerInstance">The number of keypoints of each instance (17 for COCO), 0 without keypoints.</param>
    /// <param name="trackIds">Optional; one track id per instance (set by the tracker).</param>
    /// <param name="classNames">Optional; names of the class ids.</param>
    public Instances(
        BoxF[] boxes,
        float[] scores,
        int[] classIds,
        InstanceMask?[]? masks = null,
        Keypoint[]? keypoints = null,
        int keypointsPerInstance = 0,
        int[]? trackIds = null,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(classIds);
        int n = boxes.Length;
        Check(nameof(scores), scores.Length, n);
        Check(nameof(classIds), classIds.Length, n);
        if (masks is not null)
        {
            Check(nameof(masks), masks.Length, n);
        }

        if (keypoints is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keypointsPerInstance);
            Check(nameof(keypoints), keypoints.Length, n * keypointsPerInstance);
        }
        else
        {
            keypointsPerInstance = 0;
        }

        if (trackIds is not null)
        {
            Check(nameof(trackIds), trackIds.Length, n);
        }

        Boxes = boxes;
        Scores = scores;
        ClassIds = classIds;
        Masks = masks;
        Keypoints = keypoints;
        KeypointsPerInstance = keypointsPerInstance;
        TrackIds = trackIds;
        ClassNames = classNames ?? s_noNames;
    }

    /// <summary>Gets the number of instances.</summary>
    public int Count => Boxes.Length;

    /// <summary>Gets the boxes.</summary>
    public BoxF[] Boxes { get; }

    /// <summary>Gets the scores.</summary>
    public float[] Scores { get; }

    /// <summary>Gets the class ids.</summary>
    public int[] ClassIds { get; }

    /// <summary>Gets the masks, or null when the model gives none.</summary>
    public InstanceMask?[]? Masks { get; }

    /// <summary>Gets the keypoints (instance-major), or null when the model gives none.</summary>
    public Keypoint[]? Keypoints { get; }

    /// <summary>Gets the number of keypoints per instance (0 without keypoints).</summary>
    public int KeypointsPerInstance { get; }

    /// <summary>Gets the track ids, or null before tracking.</summary>
    public int[]? TrackIds { get; }

    /// <summary>Gets the class names (may be empty).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Gets the keypoints of instance <paramref name="i"/>.</summary>
    public ReadOnlySpan<Keypoint> KeypointsOf(int i) =>
        Keypoints is null ? default : Keypoints.AsSpan(i * KeypointsPerInstance, KeypointsPerInstance);

    /// <summary>Gets the name of a class id, or its number when unknown.</summary>
    public string ClassName(int classId) =>
        (uint)classId < (uint)ClassNames.Count ? ClassNames[classId] : classId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Gets the id of the class named <paramref name="name"/> (ignoring case), or -1 when no class has that name.</summary>
    public int ClassIdOf(string name)
    {
        for (int i = 0; i < ClassNames.Count; i++)
        {
            if (string.Equals(ClassNames[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Returns the subset at <paramref name="indices"/>, with the given track ids (one per index) or none.</summary>
    public Instances Select(ReadOnlySpan<int> indices, int[]? trackIds = null)
    {
        int n = indices.Length;
        var boxes = new BoxF[n];
        var scores = new float[n];
        var classes = new int[n];
        InstanceMask?[]? masks = Masks is null ? null : new InstanceMask?[n];
        Keypoint[]? kps = Keypoints is null ? null : new Keypoint[n * KeypointsPerInstance];
        for (int j = 0; j < n; j++)
        {
            int i = indices[j];
            boxes[j] = Boxes[i];
            scores[j] = Scores[i];
            classes[j] = ClassIds[i];
            if (masks is not null)
            {
                masks[j] = Masks![i];
            }

            if (kps is not null)
            {
                KeypointsOf(i).CopyTo(kps.AsSpan(j * KeypointsPerInstance, KeypointsPerInstance));
            }
        }

        return new Instances(boxes, scores, classes, masks, kps, KeypointsPerInstance, trackIds, ClassNames);
    }

    private static void Check(string name, int actual, int expected)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Instances: '{name}' has {actual} entries; expected {expected}.", name);
        }
    }
}
