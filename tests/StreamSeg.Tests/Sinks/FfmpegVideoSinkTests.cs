using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Sinks;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

public class FfmpegVideoSinkTests
{
    [Fact]
    public async Task WriteAsync_64Frames_ProducesH264WithExactlyThoseFrames()
    {
        using var dir = new TempDirectory();
        string path = dir.File("clip.mp4");
        await using var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { Fps = 25 });
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);

        for (int i = 0; i < 64; i++)
        {
            TestFrames.MovingRectangle(frame, i);
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        await sink.CompleteAsync(CancellationToken.None);

        Assert.Equal(64, sink.FramesWritten);
        Ffprobe.StreamInfo info = Ffprobe.Probe(path);
        Assert.Equal("h264", info.CodecName);
        Assert.Equal(320, info.Width);
        Assert.Equal(240, info.Height);
        Assert.Equal(64, info.FrameCount);
    }

    [Fact]
    public async Task WriteAsync_NonContinuousRoiFrames_WritesRowByRow()
    {
        using var dir = new TempDirectory();
        string path = dir.File("roi.mp4");
        await using var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path));
        using var big = new Mat(200, 300, MatType.CV_8UC3, new Scalar(10, 20, 30));
        // A column range of a larger Mat is not continuous; the sink must write it row by row. Odd width is padded.
        using Frame frame = Frame.CreateUnpooled(new Mat(big, new Rect(10, 10, 161, 120)));
        Assert.False(frame.Image.IsContinuous());

        for (int i = 0; i < 10; i++)
        {
            TestFrames.MovingRectangle(frame, i);
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        await sink.CompleteAsync(CancellationToken.None);

        Ffprobe.StreamInfo info = Ffprobe.Probe(path);
        Assert.Equal(162, info.Width);
        Assert.Equal(120, info.Height);
        Assert.Equal(10, info.FrameCount);
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_LeavesPlayableFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("abandoned.mp4");
        var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path));
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        for (int i = 0; i < 40; i++)
        {
            TestFrames.MovingRectangle(frame, i);
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        int pid = sink.EncoderProcessId!.Value;
        await sink.DisposeAsync();

        Assert.True(ChildProcess.HasExited(pid), "ffmpeg outlived the disposed sink");
        Ffprobe.StreamInfo info = Ffprobe.Probe(path);
        Assert.Equal("h264", info.CodecName);
        Assert.Equal(40, info.FrameCount);
    }

    [Fact]
    public async Task EncoderKilledMidRun_FileStillReadableUpToLastFragment()
    {
        using var dir = new TempDirectory();
        string path = dir.File("killed.mp4");
        var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { Fps = 30, KeyframeIntervalSeconds = 0.5 });
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);
        for (int i = 0; i < 120; i++)
        {
            TestFrames.MovingRectangle(frame, i);
            await sink.WriteAsync(frame, CancellationToken.None);
        }

        // Let ffmpeg encode what it has (until fragments of it are readable on disk: how long that takes depends on the
        // machine's load, so it is polled for), then kill it hard, as a crash or OOM kill would.
        Assert.True(
            Readiness.PollUntil(() => Ffprobe.TryProbe(path) is { FrameCount: >= 15 }, Readiness.Timeout),
            $"ffmpeg did not write 15 readable frames of {path} within {Readiness.Timeout.TotalSeconds} s");
        using (var ffmpeg = Process.GetProcessById(sink.EncoderProcessId!.Value))
        {
            ffmpeg.Kill();
            await ffmpeg.WaitForExitAsync();
        }

        await sink.DisposeAsync();

        Ffprobe.StreamInfo info = Ffprobe.Probe(path);
        Assert.Equal("h264", info.CodecName);
        Assert.Equal(320, info.Width);
        Assert.InRange(info.FrameCount, 15, 120);
    }

    [Fact]
    public void Constructor_UnwritablePath_ThrowsNamingThePath()
    {
        const string path = "/proc/nonexistent/out.mp4";
        IOException ex = Assert.Throws<IOException>(() => new FfmpegVideoSink(new FfmpegVideoSinkOptions(path)));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FfmpegMissing_ThrowsNamingOutputAndExecutable()
    {
        using var dir = new TempDirectory();
        string path = dir.File("never.mp4");
        await using var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { FfmpegPath = "/nonexistent/bin/ffmpeg" });
        using Frame frame = TestFrames.Solid(64, 48, Scalar.Black);

        IOException ex = await Assert.ThrowsAsync<IOException>(async () => await sink.WriteAsync(frame, CancellationToken.None));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/bin/ffmpeg", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FfmpegExitsEarly_ThrowsWithPathAndStderr()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.mp4");
        await using var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(path) { Codec = "no_such_encoder" });
        using Frame frame = TestFrames.Solid(320, 240, Scalar.Black);

        IOException ex = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                await sink.WriteAsync(frame, CancellationToken.None);
            }

            await sink.CompleteAsync(CancellationToken.None);
        });

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_encoder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FrameSizeChanges_Throws()
    {
        using var dir = new TempDirectory();
        await using var sink = new FfmpegVideoSink(new FfmpegVideoSinkOptions(dir.File("size.mp4")));
        using Frame a = TestFrames.Solid(64, 48, Scalar.Black);
        using Frame b = TestFrames.Solid(32, 24, Scalar.Black);
        await sink.WriteAsync(a, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await sink.WriteAsync(b, CancellationToken.None));
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => new FfmpegVideoSink(new FfmpegVideoSinkOptions(dir.File("a.mp4")) { Fps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FfmpegVideoSink(new FfmpegVideoSinkOptions(dir.File("a.mp4")) { Crf = 99 }));
    }
}
