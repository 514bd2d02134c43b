using System.Text;
using System.Text.Json;
using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

public class NdjsonMetadataSinkTests
{
    private const int Width = 40;
    private const int Height = 30;

    [Theory]
    [InlineData(RleFormat.Counts)]
    [InlineData(RleFormat.String)]
    public async Task WriteAsync_FrameWithInstances_WritesParsableLineWithMaskRle(RleFormat format)
    {
        using var stream = new MemoryStream();
        await using (var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Stream = stream, LeaveOpen = true, RleFormat = format }))
        {
            using Frame frame = CreateFrame(tracked: true);
            await sink.WriteAsync(frame, CancellationToken.None);
            await sink.CompleteAsync(CancellationToken.None);
        }

        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using JsonDocument doc = JsonDocument.Parse(lines[0]);
        JsonElement root = doc.RootElement;

        Assert.Equal("streamseg.frame/1", root.GetProperty("schema").GetString());
        Assert.Equal("cam0", root.GetProperty("source").GetString());
        Assert.Equal(2, root.GetProperty("source_index").GetInt32());
        Assert.Equal(17, root.GetProperty("frame").GetInt64());
        Assert.Equal(566.5, root.GetProperty("pts_ms").GetDouble());
        Assert.Equal("2024-05-06T07:08:09.25Z", root.GetProperty("capture_time").GetString());
        Assert.True(root.GetProperty("discontinuity").GetBoolean());
        Assert.Equal(Width, root.GetProperty("width").GetInt32());
        Assert.Equal(Height, root.GetProperty("height").GetInt32());
        Assert.Equal(12.5, root.GetProperty("timings_ms").GetProperty("inference").GetDouble());
        Assert.Equal(0, root.GetProperty("timings_ms").GetProperty("sink").GetDouble());

        JsonElement instances = root.GetProperty("instances");
        Assert.Equal(2, instances.GetArrayLength());
        JsonElement first = instances[0];
        Assert.Equal(7, first.GetProperty("track_id").GetInt32());
        Assert.Equal(1, first.GetProperty("class_id").GetInt32());
        Assert.Equal("bicycle", first.GetProperty("class").GetString());
        Assert.Equal(0.9f, first.GetProperty("score").GetSingle());
        Assert.Equal([2.5f, 3f, 12f, 20.25f], first.GetProperty("box").EnumerateArray().Select(e => e.GetSingle()).ToArray());

        JsonElement mask = first.GetProperty("mask");
        Assert.Equal([Height, Width], mask.GetProperty("size").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        JsonElement countsElement = mask.GetProperty("counts");
        int[] counts = format == RleFormat.String
            ? CocoRle.FromCompressedString(countsElement.GetString()!)
            : countsElement.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(CocoRleTests.ToFrame(CreateMask(), Width, Height), CocoRle.Decode(counts, Height, Width));

        JsonElement keypoints = first.GetProperty("keypoints");
        Assert.Equal(2, keypoints.GetArrayLength());
        Assert.Equal([5f, 6f, 0.75f], keypoints[1].EnumerateArray().Select(e => e.GetSingle()).ToArray());

        JsonElement second = instances[1];
        Assert.Equal(JsonValueKind.Null, second.GetProperty("mask").ValueKind);
        Assert.Equal("3", second.GetProperty("class").GetString()); // no name for class 3: its number
    }

    [Fact]
    public async Task WriteAsync_UntrackedAndMasksOff_TrackIdNullAndNoMask()
    {
        using var stream = new MemoryStream();
        await using var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Stream = stream, LeaveOpen = true, IncludeMasks = false });
        using Frame frame = CreateFrame(tracked: false);
        await sink.WriteAsync(frame, CancellationToken.None);

        using JsonDocument doc = JsonDocument.Parse(stream.ToArray());
        JsonElement first = doc.RootElement.GetProperty("instances")[0];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("track_id").ValueKind);
        Assert.False(first.TryGetProperty("mask", out _));
    }

    [Fact]
    public async Task FileOutput_ManyFrames_OneWholeLinePerFrame()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sub/meta.ndjson");
        await using (var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = path }))
        {
            using Frame frame = CreateFrame(tracked: true);
            for (int i = 0; i < 25; i++)
            {
                frame.Meta.Index = i;
                await sink.WriteAsync(frame, CancellationToken.None);
            }

            await sink.CompleteAsync(CancellationToken.None);
            Assert.Equal(25, sink.LinesWritten);
        }

        string text = await File.ReadAllTextAsync(path);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(25, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, doc.RootElement.GetProperty("frame").GetInt64());
        }
    }

    [Fact]
    public async Task WriteAsync_EmptyFrame_WritesEmptyInstancesAndNullCaptureTime()
    {
        using var stream = new MemoryStream();
        await using var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Stream = stream, LeaveOpen = true });
        using Frame frame = TestFrames.Solid(8, 6, Scalar.Black);
        await sink.WriteAsync(frame, CancellationToken.None);

        using JsonDocument doc = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(0, doc.RootElement.GetProperty("instances").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("capture_time").ValueKind);
    }

    [Fact]
    public async Task WriteAsync_EdgeCases_FieldsMatchValuesWorkedOutByHand()
    {
        // Checks the golden frames' hard cases against values derived here from the schema (README: COCO RLE of the
        // whole frame, column-major, starting with background), not from an earlier output of the writer.
        using var stream = new MemoryStream();
        await using (var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Stream = stream, LeaveOpen = true }))
        {
            foreach (Frame frame in CreateGoldenFrames())
            {
                using (frame)
                {
                    await sink.WriteAsync(frame, CancellationToken.None);
                }
            }
        }

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        using JsonDocument doc = JsonDocument.Parse(lines[2]);
        JsonElement root = doc.RootElement;

        // Text that needs escaping reads back as it was; one tick of pts is 0.0001 ms; NaN and infinities have no
        // JSON number, so they are null.
        Assert.Equal("rtsp://***@cam/\"a<b>\u00e9", root.GetProperty("source").GetString());
        Assert.Equal(123456789012, root.GetProperty("frame").GetInt64());
        Assert.Equal(0.0001, root.GetProperty("pts_ms").GetDouble());
        Assert.Equal("2025-01-02T03:04:05.1234567Z", root.GetProperty("capture_time").GetString());
        JsonElement timings = root.GetProperty("timings_ms");
        Assert.Equal(JsonValueKind.Null, timings.GetProperty("capture").ValueKind);
        Assert.Equal(JsonValueKind.Null, timings.GetProperty("decode").ValueKind);
        Assert.Equal(1.0 / 3.0, timings.GetProperty("overlay").GetDouble());

        JsonElement first = root.GetProperty("instances")[0];
        Assert.Equal(int.MaxValue, first.GetProperty("track_id").GetInt32());
        Assert.Equal("pe\"rs<on>", first.GetProperty("class").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("score").ValueKind);
        JsonElement box = first.GetProperty("box");
        Assert.Equal(JsonValueKind.Null, box[0].ValueKind);
        Assert.Equal(-1.5f, box[1].GetSingle());
        Assert.Equal(1e-7f, box[2].GetSingle());
        Assert.Equal(JsonValueKind.Null, box[3].ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("keypoints")[0][0].ValueKind);

        // The 10×10 mask at (-3, 25) of a 40×30 frame shows columns 0..6, rows 25..29: in column-major order each of
        // those 7 columns is 25 background then 5 foreground pixels, and the rest of the 1200 pixels are background.
        int[] expected = [.. Enumerable.Repeat<int[]>([25, 5], 7).SelectMany(run => run), 1200 - (7 * 30)];
        Assert.Equal([30, 40], first.GetProperty("mask").GetProperty("size").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(expected, first.GetProperty("mask").GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()));

        // The second mask lies wholly outside the frame: all background. Class 80 has no name: its number.
        JsonElement second = root.GetProperty("instances")[1];
        Assert.Equal([1200], second.GetProperty("mask").GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("80", second.GetProperty("class").GetString());
        Assert.Equal(1f / 3f, second.GetProperty("score").GetSingle());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("keypoints")[0][2].ValueKind);
    }

    /// <summary>
    /// A regression pin, not an independent check: the reference lines are the sink's own output from before the JSON
    /// writing moved into FrameMetadataWriter, so they prove only that the exact bytes (field order, number
    /// formatting, escaping) of schema streamseg.frame/1 have not changed since. The values themselves are checked
    /// by hand in <see cref="WriteAsync_FrameWithInstances_WritesParsableLineWithMaskRle"/> and
    /// <see cref="WriteAsync_EdgeCases_FieldsMatchValuesWorkedOutByHand"/>.
    /// </summary>
    /// <remarks>
    /// After an intended change of the bytes, run once with <c>STREAMSEG_UPDATE_GOLDEN=1</c>: the test then rewrites
    /// the reference and fails, so that a run with the variable set never passes; review the diff and rerun without it.
    /// </remarks>
    [Theory]
    [InlineData("counts", RleFormat.Counts, true)]
    [InlineData("string", RleFormat.String, true)]
    [InlineData("nomasks", RleFormat.Counts, false)]
    public async Task WriteAsync_GoldenFrames_MatchReferenceBytes(string name, RleFormat format, bool includeMasks)
    {
        using var stream = new MemoryStream();
        await using (var sink = new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Stream = stream, LeaveOpen = true, RleFormat = format, IncludeMasks = includeMasks }))
        {
            foreach (Frame frame in CreateGoldenFrames())
            {
                using (frame)
                {
                    await sink.WriteAsync(frame, CancellationToken.None);
                }
            }

            await sink.CompleteAsync(CancellationToken.None);
        }

        string path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("STREAMSEG_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, stream.ToArray());
            Assert.Fail($"STREAMSEG_UPDATE_GOLDEN=1: rewrote {path}; review the diff, then run again without the variable.");
        }

        Assert.Equal(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(path)), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Constructor_UnwritablePath_ThrowsNamingThePath()
    {
        const string path = "/proc/nonexistent/meta.ndjson";
        IOException ex = Assert.Throws<IOException>(() => new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = path }));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NeitherOrBothTargets_Throw()
    {
        Assert.Throws<ArgumentException>(() => new NdjsonMetadataSink(new NdjsonMetadataSinkOptions()));
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => new NdjsonMetadataSink(new NdjsonMetadataSinkOptions { Path = "x.ndjson", Stream = stream }));
    }

    /// <summary>Gets the reference NDJSON file of <see cref="WriteAsync_GoldenFrames_MatchReferenceBytes"/> for one variant.</summary>
    internal static string GoldenPath(string name) =>
        Path.Combine(TestPaths.Data, "ReferenceOutput", nameof(NdjsonMetadataSinkTests), $"WriteAsync_GoldenFrames_{name}.ndjson");

    /// <summary>Frames that reach every branch of the schema: tracked and untracked, masks partly outside the frame, non-finite numbers, text that needs escaping, no instances.</summary>
    internal static IEnumerable<Frame> CreateGoldenFrames()
    {
        yield return CreateFrame(tracked: true);
        yield return CreateFrame(tracked: false);

        Frame odd = TestFrames.Solid(Width, Height, Scalar.Black);
        FrameMetadata m = odd.Meta;
        m.SourceId = "rtsp://***@cam/\"a<b>\u00e9";
        m.Index = 123456789012;
        m.Pts = TimeSpan.FromTicks(1);
        m.CaptureTime = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567);
        m.Timings[(int)PipelineStage.Capture] = double.NaN;
        m.Timings[(int)PipelineStage.Decode] = double.PositiveInfinity;
        m.Timings[(int)PipelineStage.Overlay] = 1.0 / 3.0;
        var edge = new InstanceMask(-3, 25, 10, 10, Enumerable.Repeat((byte)1, 100).ToArray());
        odd.Instances = new Instances(
            [new BoxF(float.NaN, -1.5f, 1e-7f, float.PositiveInfinity), new BoxF(1, 2, 3, 4)],
            [float.NaN, 1f / 3f],
            [0, 80],
            [edge, new InstanceMask(50, 50, 2, 2, [1, 1, 1, 1])],
            [new Keypoint(float.NaN, 2, 0.5f), new Keypoint(3.25f, 4, float.NegativeInfinity)],
            keypointsPerInstance: 1,
            trackIds: [int.MaxValue, 0],
            classNames: ["pe\"rs<on>"]);
        yield return odd;

        yield return TestFrames.Solid(8, 6, Scalar.Black);
    }

    private static InstanceMask CreateMask()
    {
        // An L shape in a 6×5 crop at (4,3).
        var data = new byte[6 * 5];
        for (int y = 0; y < 5; y++)
        {
            data[y * 6] = 1;
        }

        for (int x = 0; x < 6; x++)
        {
            data[(4 * 6) + x] = 1;
        }

        return new InstanceMask(4, 3, 6, 5, data);
    }

    private static Frame CreateFrame(bool tracked)
    {
        Frame frame = TestFrames.Solid(Width, Height, Scalar.Black);
        FrameMetadata m = frame.Meta;
        m.SourceId = "cam0";
        m.SourceIndex = 2;
        m.Index = 17;
        m.Pts = TimeSpan.FromMilliseconds(566.5);
        m.CaptureTime = new DateTimeOffset(2024, 5, 6, 9, 8, 9, 250, TimeSpan.FromHours(2));
        m.Discontinuity = true;
        m.Timings[(int)PipelineStage.Inference] = 12.5;
        frame.Instances = new Instances(
            [new BoxF(2.5f, 3f, 12f, 20.25f), new BoxF(0, 0, 5, 5)],
            [0.9f, 0.4f],
            [1, 3],
            [CreateMask(), null],
            [new Keypoint(1, 2, 0.5f), new Keypoint(5, 6, 0.75f), new Keypoint(7, 8, 0.1f), new Keypoint(9, 10, 1f)],
            keypointsPerInstance: 2,
            trackIds: tracked ? [7, 8] : null,
            classNames: ["person", "bicycle"]);
        return frame;
    }
}
