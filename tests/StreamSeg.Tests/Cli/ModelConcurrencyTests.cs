using System.Text.Json;
using OpenCvSharp;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>
/// Issue 16 end to end: the people preset's models side by side write the same metadata as one after another, frames
/// leave in order, and a model that fails mid-run ends the run naming it, the frame and the source, with the outputs
/// finalised.
/// </summary>
public class ModelConcurrencyTests
{
    /// <summary>What must not depend on how the models ran: the frame, its time stamp and every instance (boxes, scores, keypoints, masks, track ids).</summary>
    private static List<string> Content(string ndjson) =>
        [.. File.ReadAllLines(ndjson).Select(line =>
        {
            JsonElement root = JsonDocument.Parse(line).RootElement;
            return $"{root.GetProperty("frame").GetInt64()} {root.GetProperty("pts_ms").GetRawText()} {root.GetProperty("instances").GetRawText()}";
        })];

    [PresetModelsFact]
    public void People_OnVtest_SideBySideAndOneAfterAnother_WriteIdenticalMetadata_InFrameOrder()
    {
        using var dir = new TempDirectory();
        string[] common = ["run", "--source", TestPaths.SampleVideo, "--device", "cpu", "--max-frames", "30"];
        CliRunner.Result side = CliRunner.Run([.. common, "--meta", dir.File("side.ndjson")]);
        Assert.True(side.ExitCode == 0, side.StdErr);
        Assert.Contains("inference: 3 models of each frame run side by side", side.StdErr, StringComparison.Ordinal);
        Assert.Contains("OpenCV: one thread", side.StdErr, StringComparison.Ordinal);
        CliRunner.Result sequence = CliRunner.Run([.. common, "--model-concurrency", "1", "--meta", dir.File("seq.ndjson")]);
        Assert.True(sequence.ExitCode == 0, sequence.StdErr);
        Assert.DoesNotContain("side by side", sequence.StdErr, StringComparison.Ordinal);

        List<string> a = Content(dir.File("side.ndjson"));
        List<string> b = Content(dir.File("seq.ndjson"));
        Assert.Equal(30, a.Count);
        Assert.Equal(b, a);

        // Frames leave in order, and the run found people with keypoints and masks (the comparison is not of empties).
        long[] frames = [.. File.ReadAllLines(dir.File("side.ndjson")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("frame").GetInt64())];
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), frames);
        Assert.Contains(a, line => line.Contains("\"keypoints\"", StringComparison.Ordinal) && line.Contains("\"mask\":{", StringComparison.Ordinal));
    }

    [Fact]
    public void FaultInOneModelsLane_EndsTheRun_NamingModelFrameAndSource_OutputsFinalised()
    {
        using var dir = new TempDirectory();

        // Six dark frames, then bright ones: yolo-pose-fault.onnx (scripts/make_fault_fixture.py) fails on frame 6.
        string video = dir.File("dark-then-bright.avi");
        using (var writer = new VideoWriter(video, FourCC.MJPG, 10, new Size(160, 120)))
        {
            for (int i = 0; i < 12; i++)
            {
                using var image = new Mat(120, 160, MatType.CV_8UC3, i < 6 ? Scalar.Black : Scalar.White);
                writer.Write(image);
            }
        }

        CliRunner.Result r = CliRunner.Run("run", "--source", video, "--model", TestPaths.Model("yolo-seg.onnx"), "--pose-model", TestPaths.Model("yolo-pose-fault.onnx"),
            "--device", "cpu", "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Contains("inference: 2 models of each frame run side by side", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("model 'yolo-pose-fault.onnx' failed on frame 6 of source 'dark-then-bright.avi'", r.StdErr, StringComparison.Ordinal);

        // Finalised: every metadata line is whole and in order, and the MP4 is playable with as many frames.
        string[] lines = File.ReadAllLines(dir.File("m.ndjson"));
        Assert.InRange(lines.Length, 0, 6);
        long[] frames = [.. lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("frame").GetInt64())];
        Assert.Equal(Enumerable.Range(0, lines.Length).Select(i => (long)i), frames);
        if (lines.Length > 0)
        {
            Assert.Equal(lines.Length, Ffprobe.Probe(dir.File("o.mp4")).FrameCount);
        }
    }
}
