using System.Buffers;

namespace StreamSeg.Decode;

/// <summary>
/// Splits a whole-frame <see cref="Matte"/> (RVM, selfie segmentation) into one <see cref="InstanceMask"/> per person
/// instance: a foreground pixel (alpha ≥ <see cref="MatteSplitterOptions.AlphaThreshold"/>) goes to the person whose
/// box contains it and whose skeleton is nearest; a pixel in no person's box goes to nobody.
/// </summary>
/// <remarks>
/// A skeleton is the set of COCO-17 edges whose two keypoints both score above
/// <see cref="MatteSplitterOptions.KeypointThreshold"/>, plus every such keypoint on its own (so a lone confident
/// wrist still counts); a person with no confident keypoint (or without keypoints) is represented by its box centre.
/// Distances are Euclidean, to the nearest point of a segment; ties go to the earlier instance. Each mask is a crop
/// of its (integer-rounded, frame-clipped) box. Instances of other classes keep their masks; person instances'
/// masks are replaced. The matte is sampled at the nearest matte pixel to each frame pixel's centre.
/// <para>
/// The person masks' pixels are rented from the splitter's own pool (<see cref="InstanceMask.Rent"/>): they outlive
/// the call with the instances, so the caller owns every new mask and disposes it once to give its buffer back
/// (<see cref="DecodeStage"/> hands them to the frame, which does so when it is released). A dedicated pool rather
/// than <see cref="ArrayPool{T}.Shared"/>: the masks are rented on the decode thread and returned on whichever thread
/// releases the frame about a second later, and the shared pool's per-thread caches would strand them there.
/// Scratch buffers, returned within the call, come from <see cref="ArrayPool{T}.Shared"/>.
/// </para>
/// </remarks>
public sealed class MatteSplitter
{
    // COCO person_keypoints skeleton, 0-based (the same 19 edges as the keypoint overlay draws).
    private static readonly (int From, int To)[] s_edges =
    [
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
        (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ];

    // Mask crops up to 16 MiB (a whole 4K frame); up to 256 of one size class are kept for reuse, enough for every
    // person of every frame in flight (frames wait about a second in the queues).
    private const int MaxPooledMaskBytes = 1 << 24;
    private const int MaxPooledMasksPerSize = 256;

    private readonly MatteSplitterOptions _options;
    private readonly ArrayPool<byte> _maskPool;

    /// <summary>Creates the splitter; person masks are rented from <paramref name="maskPool"/>, or from a pool of its own when null.</summary>
    public MatteSplitter(MatteSplitterOptions options, ArrayPool<byte>? maskPool = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _maskPool = maskPool ?? ArrayPool<byte>.Create(MaxPooledMaskBytes, MaxPooledMasksPerSize);
    }

    /// <summary>
    /// Returns <paramref name="instances"/> with one mask per person cut from <paramref name="matte"/>. Every person
    /// mask of the result is new and pooled: the caller owns it and disposes it once. The other instances' masks are
    /// the ones given.
    /// </summary>
    public Instances Split(Instances instances, Matte matte)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(matte);
        int n = instances.Count;
        var masks = new InstanceMask?[n];
        if (instances.Masks is not null)
        {
            Array.Copy(instances.Masks, masks, n);
        }

        int personId = PersonClassId(instances);
        int fw = matte.FrameWidth;
        int fh = matte.FrameHeight;

        // Per person: integer box (x0, y0, x1, y1 exclusive) and a list of segments (points are zero-length segments).
        int[] rects = ArrayPool<int>.Shared.Rent(Math.Max(1, n * 4));
        int maxSegments = s_edges.Length + instances.KeypointsPerInstance + 1;
        float[] segments = ArrayPool<float>.Shared.Rent(Math.Max(1, n * maxSegments * 4));
        int[] segmentCounts = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        int[] persons = ArrayPool<int>.Shared.Rent(Math.Max(1, n));
        int personCount = 0;
        bool handedOver = false;
        try
        {
            for (int i = 0; i < n; i++)
            {
                if (instances.ClassIds[i] != personId)
                {
                    continue;
                }

                BoxF b = instances.Boxes[i].Clip(fw, fh);
                int x0 = (int)MathF.Floor(b.X1);
                int y0 = (int)MathF.Floor(b.Y1);
                int x1 = Math.Min(fw, (int)MathF.Ceiling(b.X2));
                int y1 = Math.Min(fh, (int)MathF.Ceiling(b.Y2));
                rects[(i * 4) + 0] = x0;
                rects[(i * 4) + 1] = y0;
                rects[(i * 4) + 2] = Math.Max(x0, x1);
                rects[(i * 4) + 3] = Math.Max(y0, y1);
                segmentCounts[i] = BuildSkeleton(instances, i, segments.AsSpan(i * maxSegments * 4, maxSegments * 4));
                masks[i] = InstanceMask.Rent(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0), _maskPool);
                persons[personCount++] = i;
            }

            if (personCount == 0)
            {
                return instances;
            }

            // Scan the union of the boxes row by row: rows and columns outside every box are never sampled.
            int ux0 = int.MaxValue, uy0 = int.MaxValue, ux1 = 0, uy1 = 0;
            for (int p = 0; p < personCount; p++)
            {
                int i = persons[p];
                ux0 = Math.Min(ux0, rects[i * 4]);
                uy0 = Math.Min(uy0, rects[(i * 4) + 1]);
                ux1 = Math.Max(ux1, rects[(i * 4) + 2]);
                uy1 = Math.Max(uy1, rects[(i * 4) + 3]);
            }

            float threshold = _options.AlphaThreshold;
            for (int y = uy0; y < uy1; y++)
            {
                for (int x = ux0; x < ux1; x++)
                {
                    int best = -1;
                    float bestDistance = float.PositiveInfinity;
                    bool sampled = false;
                    for (int p = 0; p < personCount; p++)
                    {
                        int i = persons[p];
                        if (x < rects[i * 4] || x >= rects[(i * 4) + 2] || y < rects[(i * 4) + 1] || y >= rects[(i * 4) + 3])
                        {
                            continue;
                        }

                        if (!sampled)
                        {
                            if (matte.AlphaAtFramePixel(x, y) < threshold)
                            {
                                break;
                            }

                            sampled = true;
                        }

                        float d = Distance(segments.AsSpan(i * maxSegments * 4, segmentCounts[i] * 4), x + 0.5f, y + 0.5f);
                        if (d < bestDistance)
                        {
                            bestDistance = d;
                            best = i;
                        }
                    }

                    if (best >= 0)
                    {
                        InstanceMask m = masks[best]!;
                        m.Buffer[((y - m.Y) * m.Width) + (x - m.X)] = 1;
                    }
                }
            }

            var result = new Instances(
                instances.Boxes, instances.Scores, instances.ClassIds, masks, instances.Keypoints, instances.KeypointsPerInstance,
                instances.TrackIds, instances.ClassNames);
            handedOver = true;
            return result;
        }
        finally
        {
            if (!handedOver)
            {
                // A fault before the result was made: the new masks never reach the caller, so their buffers go back here.
                for (int p = 0; p < personCount; p++)
                {
                    masks[persons[p]]!.Dispose();
                }
            }

            ArrayPool<int>.Shared.Return(rects);
            ArrayPool<float>.Shared.Return(segments);
            ArrayPool<int>.Shared.Return(segmentCounts);
            ArrayPool<int>.Shared.Return(persons);
        }
    }

    /// <summary>Writes the person's skeleton as (ax, ay, bx, by) segments and returns how many.</summary>
    private int BuildSkeleton(Instances instances, int i, Span<float> into)
    {
        ReadOnlySpan<Keypoint> kps = instances.KeypointsOf(i);
        float t = _options.KeypointThreshold;
        int count = 0;
        if (kps.Length >= 17)
        {
            foreach ((int a, int b) in s_edges)
            {
                if (kps[a].Score > t && kps[b].Score > t)
                {
                    count = Add(into, count, kps[a].X, kps[a].Y, kps[b].X, kps[b].Y);
                }
            }
        }

        foreach (Keypoint k in kps)
        {
            if (k.Score > t)
            {
                count = Add(into, count, k.X, k.Y, k.X, k.Y);
            }
        }

        if (count == 0)
        {
            BoxF box = instances.Boxes[i];
            count = Add(into, count, box.CenterX, box.CenterY, box.CenterX, box.CenterY);
        }

        return count;
    }

    private static int Add(Span<float> into, int count, float ax, float ay, float bx, float by)
    {
        int o = count * 4;
        into[o] = ax;
        into[o + 1] = ay;
        into[o + 2] = bx;
        into[o + 3] = by;
        return count + 1;
    }

    /// <summary>The squared distance from (px, py) to the nearest segment (monotonic in the distance, so it ranks the same).</summary>
    private static float Distance(ReadOnlySpan<float> segments, float px, float py)
    {
        float best = float.PositiveInfinity;
        for (int o = 0; o < segments.Length; o += 4)
        {
            float ax = segments[o];
            float ay = segments[o + 1];
            float dx = segments[o + 2] - ax;
            float dy = segments[o + 3] - ay;
            float len2 = (dx * dx) + (dy * dy);
            float u = len2 > 0 ? Math.Clamp((((px - ax) * dx) + ((py - ay) * dy)) / len2, 0f, 1f) : 0f;
            float ex = ax + (u * dx) - px;
            float ey = ay + (u * dy) - py;
            best = MathF.Min(best, (ex * ex) + (ey * ey));
        }

        return best;
    }

    private int PersonClassId(Instances instances)
    {
        for (int i = 0; i < instances.ClassNames.Count; i++)
        {
            if (string.Equals(instances.ClassNames[i], _options.PersonClass, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return 0;
    }
}
