using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Preprocess;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Decode;

public class MatteSplitterTests
{
    private const int W = 100;
    private const int H = 50;

    private static Keypoint[] Skeleton(params (int Index, float X, float Y)[] points)
    {
        var kps = new Keypoint[17];
        foreach ((int index, float x, float y) in points)
        {
            kps[index] = new Keypoint(x, y, 0.9f);
        }

        return kps;
    }

    private static Instances TwoPeople(Keypoint[] a, Keypoint[] b) =>
        new(
            [new BoxF(0, 0, 60, 50), new BoxF(40, 0, 90, 50)],
            [0.9f, 0.8f],
            [0, 0],
            keypoints: [.. a, .. b],
            keypointsPerInstance: 17,
            classNames: ["person"]);

    private static Matte Full(float alpha = 1f)
    {
        var data = new float[W * H];
        Array.Fill(data, alpha);
        return new Matte(data, W, H, LetterboxTransform.Identity(W, H));
    }

    [Fact]
    public void Split_OverlappingBoxes_PixelGoesToNearerSkeleton()
    {
        // A: left shoulder to left hip, a vertical segment at x = 20. B: no confident keypoint → its box centre (65, 25).
        Instances people = TwoPeople(Skeleton((5, 20, 10), (11, 20, 40)), Skeleton());
        using Matte matte = Full();
        Instances result = new MatteSplitter(MatteSplitterOptions.Default).Split(people, matte);

        InstanceMask a = result.Masks![0]!;
        InstanceMask b = result.Masks![1]!;
        Assert.True(a.Contains(41, 25));    // 21.5 from A's bone, 23.5 from B's centre
        Assert.False(b.Contains(41, 25));
        Assert.True(b.Contains(44, 25));    // 24.5 from A, 20.5 from B
        Assert.False(a.Contains(44, 25));
        Assert.True(a.Contains(10, 5));     // only A's box
        Assert.True(b.Contains(85, 45));    // only B's box

        // Every foreground pixel inside a box goes to exactly one person.
        Assert.Equal(90 * 50, a.Area() + b.Area());
    }

    [Fact]
    public void Split_PixelInNoBox_AssignedToNobody()
    {
        Instances people = TwoPeople(Skeleton((0, 30, 10)), Skeleton((0, 60, 10)));
        using Matte matte = Full();
        Instances result = new MatteSplitter(MatteSplitterOptions.Default).Split(people, matte);
        for (int y = 0; y < H; y++)
        {
            for (int x = 90; x < W; x++)
            {
                Assert.False(result.Masks![0]!.Contains(x, y));
                Assert.False(result.Masks![1]!.Contains(x, y));
            }
        }
    }

    [Fact]
    public void Split_BelowAlphaThreshold_IsBackground()
    {
        Instances people = TwoPeople(Skeleton((0, 30, 10)), Skeleton((0, 60, 10)));
        using Matte matte = Full(0.49f);
        Instances result = new MatteSplitter(MatteSplitterOptions.Default).Split(people, matte);
        Assert.Equal(0, result.Masks![0]!.Area());
        Assert.Equal(0, result.Masks![1]!.Area());

        // At exactly the threshold a pixel is foreground (alpha ≥ 0.5).
        using Matte half = Full(0.5f);
        Instances both = new MatteSplitter(MatteSplitterOptions.Default).Split(people, half);
        Assert.Equal(90 * 50, both.Masks![0]!.Area() + both.Masks![1]!.Area());
    }

    [Fact]
    public void Split_ScaledMatte_SamplesThroughTransform()
    {
        // A 50×25 matte for the 100×50 frame, foreground only in its left half (frame x < 50).
        var data = new float[50 * 25];
        for (int y = 0; y < 25; y++)
        {
            for (int x = 0; x < 25; x++)
            {
                data[(y * 50) + x] = 1f;
            }
        }

        using var matte = new Matte(data, 50, 25, LetterboxTransform.Stretch(W, H, 50, 25));
        var one = new Instances([new BoxF(0, 0, 100, 50)], [1f], [0], classNames: ["person"]);
        InstanceMask mask = new MatteSplitter(MatteSplitterOptions.Default).Split(one, matte).Masks![0]!;
        Assert.Equal(50 * 50, mask.Area());
        Assert.True(mask.Contains(49, 0));
        Assert.False(mask.Contains(50, 0));
    }

    [Fact]
    public void Split_OtherClasses_KeepTheirMasks()
    {
        var existing = new InstanceMask(0, 0, 1, 1, [1]);
        var mixed = new Instances(
            [new BoxF(0, 0, 10, 10), new BoxF(0, 0, 10, 10)], [1f, 1f], [0, 1], masks: [null, existing], classNames: ["person", "dog"]);
        using Matte matte = Full();
        Instances result = new MatteSplitter(MatteSplitterOptions.Default).Split(mixed, matte);
        Assert.Same(existing, result.Masks![1]);
        Assert.Equal(100, result.Masks![0]!.Area());
        Assert.True(result.Masks![0]!.IsPooled);
        Assert.False(result.Masks![1]!.IsPooled);
    }

    [Fact]
    public void Split_HandBuiltMatte_PixelCountsMatchTheBisector()
    {
        // Counts worked out by hand, not by the splitter: foreground is the rectangle x 20..79, y 10..39 (30 rows).
        // A's skeleton is the point (20.5, 25), B's (70.5, 25): a pixel (centre x + 0.5) is nearer A when
        // x + 0.5 < 45.5, and the column x = 45 is equidistant and goes to the earlier instance, A.
        // A: box 0..59 ∩ foreground 20..79 ∩ x ≤ 45 → 26 columns; B: box 40..89 ∩ foreground ∩ x ≥ 46 → 34 columns.
        var data = new float[W * H];
        for (int y = 10; y < 40; y++)
        {
            data.AsSpan((y * W) + 20, 60).Fill(1f);
        }

        using var matte = new Matte(data, W, H, LetterboxTransform.Identity(W, H));
        Instances people = TwoPeople(Skeleton((0, 20.5f, 25)), Skeleton((0, 70.5f, 25)));
        Instances result = new MatteSplitter(MatteSplitterOptions.Default).Split(people, matte);

        InstanceMask a = result.Masks![0]!;
        InstanceMask b = result.Masks![1]!;
        Assert.Equal(26 * 30, a.Area());
        Assert.Equal(34 * 30, b.Area());
        Assert.True(a.Contains(45, 10) && !b.Contains(45, 10));
        Assert.True(b.Contains(46, 39) && !a.Contains(46, 39));
        Assert.False(a.Contains(19, 25) || a.Contains(20, 9) || a.Contains(20, 40));
    }

    [Fact]
    public void Split_NoPersonClass_LeavesTheInstancesAndWarnsOnce()
    {
        // Bug 5 (issue 10): the splitter used to take class 0 for the person class when there was none, cutting the
        // people's matte into the masks of whatever class 0 was (here cars).
        var pool = new TestArrayPool<byte>(42);
        var logger = new ListLogger();
        var splitter = new MatteSplitter(MatteSplitterOptions.Default, pool, logger);
        var cars = new Instances([new BoxF(0, 0, 60, 50), new BoxF(40, 0, 90, 50)], [0.9f, 0.8f], [0, 1], classNames: ["car", "dog"]);
        using Matte matte = Full();

        Assert.Same(cars, splitter.Split(cars, matte));
        Assert.Same(cars, splitter.Split(cars, matte));
        Assert.Null(cars.Masks);
        Assert.Equal(0, pool.Rented);
        string warning = Assert.Single(logger.Messages);
        Assert.StartsWith("Warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("(car, dog)", warning, StringComparison.Ordinal);
        Assert.Contains("'person'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_VtestFrames_MatchReferenceBytes()
    {
        // A regression pin, not an independent check: the reference is the splitter's own output from before its
        // masks were pooled (and before the per-box scan of issue 10), so it proves only that the output has not
        // changed since. The hand-computed counts above check the rule itself.
        // Real people-preset data (tests/Data/Input/MatteSplitter/README.md). Two passes over a dirty pool: the second gets the first pass's buffers back, stale masks
        // and all, and must still write the same bytes.
        var pool = new TestArrayPool<byte>(42);
        var splitter = new MatteSplitter(MatteSplitterOptions.Default, pool);
        byte[] expected = File.ReadAllBytes(Path.Combine(TestPaths.Data, "ReferenceOutput", nameof(MatteSplitterTests), "Split_VtestFrames_MatchReferenceBytes.ndjson"));
        for (int pass = 0; pass < 2; pass++)
        {
            var written = new ArrayBufferWriter<byte>();
            using var writer = new FrameMetadataWriter();
            foreach (int index in (int[])[12, 35, 58])
            {
                (Instances people, int width, int height) = LoadPeople(index);
                using Matte matte = LoadMatte(index);
                using Frame frame = Frame.CreateUnpooled(new Mat(height, width, MatType.CV_8UC3, Scalar.Black));
                frame.Meta.SourceId = "vtest.avi";
                frame.Meta.Index = index;
                frame.Meta.Pts = TimeSpan.FromMilliseconds(100 * index);
                frame.Instances = splitter.Split(people, matte);
                foreach (InstanceMask? mask in frame.Instances.Masks!)
                {
                    frame.Own(mask!);
                }

                writer.Write(frame, written);
                written.Write("\n"u8);
            }

            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written.WrittenSpan));
            Assert.Equal(pool.Rented, pool.Returned);
        }
    }

    [Fact]
    public void Split_FaultAfterRenting_ReturnsTheNewMasks()
    {
        var pool = new TestArrayPool<byte>(42);
        Instances people = TwoPeople(Skeleton((0, 30, 10)), Skeleton((0, 60, 10)));
        Matte matte = Full();
        matte.Dispose();

        // The matte is read after the masks are rented: a disposed one fails the call half-way.
        Assert.Throws<ObjectDisposedException>(() => new MatteSplitter(MatteSplitterOptions.Default, pool).Split(people, matte));
        Assert.Equal((2, 2), (pool.Rented, pool.Returned));
    }

    [Fact]
    public void Split_OnAnyThread_AllocatesNoScratchAfterWarmUp()
    {
        // The pipeline's decode stage runs on whichever thread-pool thread is free, so the splitter's scratch (an
        // int and a float owner map, each hundreds of KB on a vtest frame) must come back to it from any thread. Each
        // call here runs on a thread of its own: a pool that caches per thread (ArrayPool.Shared) hands it nothing, and
        // new maps go to the large object heap (about 1 MB per call here, 140–210 KB per frame in the people bench).
        var splitter = new MatteSplitter(MatteSplitterOptions.Default);
        (Instances People, Matte Matte)[] frames = [.. ((int[])[12, 35, 58]).Select(i => (LoadPeople(i).People, LoadMatte(i)))];
        try
        {
            // Warm-up on this thread: the mask pool's size classes of these crops, and the scratch pools.
            foreach ((Instances people, Matte matte) in frames)
            {
                DisposeMasks(splitter.Split(people, matte));
            }

            long worst = 0;
            foreach ((Instances people, Matte matte) in frames)
            {
                long allocated = 0;
                var thread = new Thread(() =>
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    Instances result = splitter.Split(people, matte);
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    DisposeMasks(result);
                });
                thread.Start();
                thread.Join();
                worst = Math.Max(worst, allocated);
            }

            // What a call must allocate: the result's Instances, its mask array and one small InstanceMask per person.
            Assert.InRange(worst, 0, 8 * 1024);
        }
        finally
        {
            foreach ((_, Matte matte) in frames)
            {
                matte.Dispose();
            }
        }
    }

    private static void DisposeMasks(Instances instances)
    {
        foreach (InstanceMask? mask in instances.Masks!)
        {
            mask?.Dispose();
        }
    }

    private static (Instances People, int Width, int Height) LoadPeople(int index)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(InputPath($"vtest_f{index:000}.people.json")));
        JsonElement root = doc.RootElement;
        JsonElement[] people = [.. root.GetProperty("people").EnumerateArray()];
        var boxes = new BoxF[people.Length];
        var scores = new float[people.Length];
        var keypoints = new List<Keypoint>();
        for (int i = 0; i < people.Length; i++)
        {
            float[] b = [.. people[i].GetProperty("box").EnumerateArray().Select(v => v.GetSingle())];
            boxes[i] = new BoxF(b[0], b[1], b[2], b[3]);
            scores[i] = people[i].GetProperty("score").GetSingle();
            foreach (JsonElement k in people[i].GetProperty("keypoints").EnumerateArray())
            {
                keypoints.Add(new Keypoint(k[0].GetSingle(), k[1].GetSingle(), k[2].GetSingle()));
            }
        }

        var instances = new Instances(boxes, scores, new int[people.Length], keypoints: [.. keypoints], keypointsPerInstance: 17, classNames: ["person"]);
        return (instances, root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32());
    }

    private static Matte LoadMatte(int index)
    {
        using Mat png = Cv2.ImRead(InputPath($"vtest_f{index:000}.matte.png"), ImreadModes.Grayscale);
        int width = png.Width;
        int height = png.Height;
        var alpha = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                alpha[(y * width) + x] = png.At<byte>(y, x) / 255f;
            }
        }

        return new Matte(alpha, width, height, LetterboxTransform.Identity(width, height));
    }

    private static string InputPath(string file) => Path.Combine(TestPaths.Data, "Input", "MatteSplitter", file);

    /// <summary>Keeps every message logged, as "Level: text".</summary>
    private sealed class ListLogger : ILogger<MatteSplitter>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
