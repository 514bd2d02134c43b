using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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
/// masks are replaced. The matte is sampled at the nearest matte pixel to each frame pixel's centre. When the
/// instances' class names have no person class (a detector trained on other classes), nothing is cut and a warning is
/// logged once: a matte of people cut into, say, cars' masks would be wrong, while the run's other outputs (the matte
/// itself, the detector's own masks) are still right, so the splitter skips rather than stops the run.
/// <para>
/// The person masks' pixels are rented from the splitter's own pool (<see cref="InstanceMask.Rent"/>): they outlive
/// the call with the instances, so the caller owns every new mask and disposes it once to give its buffer back
/// (<see cref="DecodeStage"/> hands them to the frame, which does so when it is released). A dedicated pool rather
/// than <see cref="ArrayPool{T}.Shared"/>: the masks are rented on the decode thread and returned on whichever thread
/// releases the frame about a second later, and the shared pool's per-thread caches would strand them there.
/// The scratch buffers (the owner map, rented at the frame's size, and the people's boxes and skeletons), returned
/// within the call, come from pools of the splitter's own too: the decode stage calls it on whichever thread-pool
/// thread is free, and <see cref="ArrayPool{T}.Shared"/> gives a thread back only what that thread returned, so most
/// frames' maps would be new large-object-heap arrays.
/// </para>
/// </remarks>
public sealed partial class MatteSplitter
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

    // Scratch of up to a whole 4K frame's pixels; a few of one size class cover the calls that run at once.
    private const int MaxPooledScratchLength = 1 << 24;
    private const int MaxPooledScratchPerSize = 16;

    // Owner-map states of a pixel of the scan window that is not (yet) some person's.
    private const int Unvisited = -1;
    private const int Background = -2;

    private readonly MatteSplitterOptions _options;
    private readonly ArrayPool<byte> _maskPool;
    private readonly ArrayPool<int> _intScratch = ArrayPool<int>.Create(MaxPooledScratchLength, MaxPooledScratchPerSize);
    private readonly ArrayPool<float> _floatScratch = ArrayPool<float>.Create(MaxPooledScratchLength, MaxPooledScratchPerSize);
    private readonly ILogger _logger;
    private int _noPersonClassLogged;

    /// <summary>Creates the splitter; person masks are rented from <paramref name="maskPool"/>, or from a pool of its own when null.</summary>
    public MatteSplitter(MatteSplitterOptions options, ArrayPool<byte>? maskPool = null, ILogger<MatteSplitter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _maskPool = maskPool ?? ArrayPool<byte>.Create(MaxPooledMaskBytes, MaxPooledMasksPerSize);
        _logger = logger ?? NullLogger<MatteSplitter>.Instance;
    }

    /// <summary>
    /// Returns <paramref name="instances"/> with one mask per person cut from <paramref name="matte"/>. Every person
    /// mask of the result is new and pooled: the caller owns it and disposes it once. The other instances' masks are
    /// the ones given. Instances whose class names have no <see cref="MatteSplitterOptions.PersonClass"/> are returned
    /// as given (logged once per splitter): no class of theirs is taken for a person.
    /// </summary>
    public Instances Split(Instances instances, Matte matte)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(matte);
        int personId = instances.ClassIdOf(_options.PersonClass);
        if (personId < 0)
        {
            if (instances.Count > 0 && Interlocked.Exchange(ref _noPersonClassLogged, 1) == 0)
            {
                LogNoPersonClass(_logger, _options.PersonClass, DescribeClasses(instances.ClassNames));
            }

            return instances;
        }

        var people = new People(instances.Count, instances.KeypointsPerInstance, _intScratch, _floatScratch);
        var masks = new InstanceMask?[instances.Count];
        if (instances.Masks is not null)
        {
            Array.Copy(instances.Masks, masks, instances.Count);
        }

        bool handedOver = false;
        try
        {
            CollectPeople(instances, personId, matte.FrameWidth, matte.FrameHeight, ref people, masks);
            if (people.Count == 0)
            {
                return instances;
            }

            AssignPixels(in people, matte, masks);
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
                for (int p = 0; p < people.Count; p++)
                {
                    masks[people.Index[p]]!.Dispose();
                }
            }

            people.Return();
        }
    }

    /// <summary>
    /// Finds the person instances: their integer, frame-clipped boxes, their skeletons and a new (cleared) mask crop
    /// of each box in <paramref name="masks"/>.
    /// </summary>
    private void CollectPeople(Instances instances, int personId, int fw, int fh, ref People people, InstanceMask?[] masks)
    {
        for (int i = 0; i < instances.Count; i++)
        {
            if (instances.ClassIds[i] != personId)
            {
                continue;
            }

            BoxF b = instances.Boxes[i].Clip(fw, fh);
            int x0 = (int)MathF.Floor(b.X1);
            int y0 = (int)MathF.Floor(b.Y1);
            int x1 = Math.Max(x0, Math.Min(fw, (int)MathF.Ceiling(b.X2)));
            int y1 = Math.Max(y0, Math.Min(fh, (int)MathF.Ceiling(b.Y2)));
            int p = people.Count;
            people.Index[p] = i;
            people.Rects[(p * 4) + 0] = x0;
            people.Rects[(p * 4) + 1] = y0;
            people.Rects[(p * 4) + 2] = x1;
            people.Rects[(p * 4) + 3] = y1;
            people.SegmentCounts[p] = BuildSkeleton(instances, i, people.SegmentSlot(p));
            masks[i] = InstanceMask.Rent(x0, y0, x1 - x0, y1 - y0, _maskPool);
            people.Count++;
        }
    }

    /// <summary>
    /// Gives each foreground pixel of a person's box to the nearest skeleton among the people whose box holds it.
    /// </summary>
    /// <remarks>
    /// Each person's box is scanned on its own, in instance order, over an owner map of the boxes' union: a pixel met
    /// for the first time has its alpha sampled (once) and goes to that person, or is marked background; a pixel a
    /// later box meets again is taken over only when the later skeleton is strictly nearer (so ties stay with the
    /// earlier instance). Distances are computed only where boxes overlap, and each person's only inside its own box:
    /// the work per pixel is bounded by the number of boxes that hold it, not by the number of people.
    /// </remarks>
    private void AssignPixels(in People people, Matte matte, InstanceMask?[] masks)
    {
        float threshold = _options.AlphaThreshold;
        (int ux0, int uy0, int ux1, int uy1) = people.Union();
        int stride = ux1 - ux0;
        int area = stride * (uy1 - uy0);

        // Rented at the frame's size, which bounds every union: the map's size class is the same every frame, so the
        // first frame's buffers serve them all instead of each new, larger union allocating a class of its own.
        int capacity = Math.Max(1, Math.Max(area, matte.FrameWidth * matte.FrameHeight));
        int[] owner = _intScratch.Rent(capacity);
        float[] ownerDistance = _floatScratch.Rent(capacity);
        try
        {
            owner.AsSpan(0, area).Fill(Unvisited);
            for (int p = 0; p < people.Count; p++)
            {
                ReadOnlySpan<int> r = people.Rects.AsSpan(p * 4, 4);
                for (int y = r[1]; y < r[3]; y++)
                {
                    int row = (y - uy0) * stride;
                    for (int x = r[0]; x < r[2]; x++)
                    {
                        int o = row + (x - ux0);
                        int current = owner[o];
                        if (current == Background)
                        {
                            continue;
                        }

                        if (current == Unvisited)
                        {
                            if (matte.AlphaAtFramePixel(x, y) < threshold)
                            {
                                owner[o] = Background;
                                continue;
                            }

                            owner[o] = p;
                            ownerDistance[o] = float.NaN;
                            Mark(masks[people.Index[p]]!, x, y, 1);
                            continue;
                        }

                        // An overlap: the earlier owner's distance is computed once, on the first challenge.
                        float held = ownerDistance[o];
                        if (float.IsNaN(held))
                        {
                            held = Distance(people.SegmentsOf(current), x + 0.5f, y + 0.5f);
                            ownerDistance[o] = held;
                        }

                        float d = Distance(people.SegmentsOf(p), x + 0.5f, y + 0.5f);
                        if (d < held)
                        {
                            Mark(masks[people.Index[current]]!, x, y, 0);
                            Mark(masks[people.Index[p]]!, x, y, 1);
                            owner[o] = p;
                            ownerDistance[o] = d;
                        }
                    }
                }
            }
        }
        finally
        {
            _intScratch.Return(owner);
            _floatScratch.Return(ownerDistance);
        }
    }

    private static void Mark(InstanceMask mask, int x, int y, byte value) =>
        mask.Buffer[((y - mask.Y) * mask.Width) + (x - mask.X)] = value;

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

    private static string DescribeClasses(IReadOnlyList<string> names)
    {
        const int Shown = 10;
        if (names.Count == 0)
        {
            return "none";
        }

        string shown = string.Join(", ", names.Take(Shown));
        return names.Count <= Shown ? shown : $"{shown}, … ({names.Count} in all)";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "matte splitter: the detections' classes ({Classes}) have no '{PersonClass}' class; the matte is not cut into instance masks")]
    private static partial void LogNoPersonClass(ILogger logger, string personClass, string classes);

    /// <summary>
    /// The person instances of one <see cref="Split"/> call, in instance order: instance index, integer box
    /// (x0, y0, x1, y1 exclusive) and skeleton segments (ax, ay, bx, by; a point is a zero-length segment), in arrays
    /// rented from the splitter's scratch pools and returned to them by <see cref="Return"/>.
    /// </summary>
    private struct People
    {
        public readonly int[] Index;
        public readonly int[] Rects;
        public readonly int[] SegmentCounts;
        public int Count;
        private readonly float[] _segments;
        private readonly int _maxSegments;
        private readonly ArrayPool<int> _ints;
        private readonly ArrayPool<float> _floats;

        public People(int instances, int keypointsPerInstance, ArrayPool<int> ints, ArrayPool<float> floats)
        {
            int n = Math.Max(1, instances);
            _maxSegments = s_edges.Length + keypointsPerInstance + 1;
            _ints = ints;
            _floats = floats;
            Index = ints.Rent(n);
            Rects = ints.Rent(n * 4);
            SegmentCounts = ints.Rent(n);
            _segments = floats.Rent(n * _maxSegments * 4);
        }

        /// <summary>Gets room for person <paramref name="p"/>'s segments.</summary>
        public readonly Span<float> SegmentSlot(int p) => _segments.AsSpan(p * _maxSegments * 4, _maxSegments * 4);

        /// <summary>Gets person <paramref name="p"/>'s segments.</summary>
        public readonly ReadOnlySpan<float> SegmentsOf(int p) => _segments.AsSpan(p * _maxSegments * 4, SegmentCounts[p] * 4);

        /// <summary>Gets the union of the boxes (x0, y0, x1, y1 exclusive); call with at least one person.</summary>
        public readonly (int X0, int Y0, int X1, int Y1) Union()
        {
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = int.MinValue, y1 = int.MinValue;
            for (int p = 0; p < Count; p++)
            {
                x0 = Math.Min(x0, Rects[p * 4]);
                y0 = Math.Min(y0, Rects[(p * 4) + 1]);
                x1 = Math.Max(x1, Rects[(p * 4) + 2]);
                y1 = Math.Max(y1, Rects[(p * 4) + 3]);
            }

            return (x0, y0, x1, y1);
        }

        public readonly void Return()
        {
            _ints.Return(Index);
            _ints.Return(Rects);
            _ints.Return(SegmentCounts);
            _floats.Return(_segments);
        }
    }
}
