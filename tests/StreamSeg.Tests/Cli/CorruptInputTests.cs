using System.Text.RegularExpressions;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>Damaged copies of a real video, made by the test: the run completes, says what was lost, and writes valid outputs.</summary>
public partial class CorruptInputTests
{
    private const string Vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public static TheoryData<string> Damages => new() { "truncated", "overwritten" };

    [Theory]
    [MemberData(nameof(Damages))]
    public void DamagedVideo_RunCompletes_ReportsSkippedFrames_OutputsValid(string damage)
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(Vtest);
        string path = dir.File($"{damage}.avi");
        if (damage == "truncated")
        {
            File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        }
        else
        {
            // Overwrite 200 KB in the middle with a deterministic pattern that is not valid video data.
            var random = new Random(7);
            byte[] junk = new byte[200_000];
            random.NextBytes(junk);
            junk.CopyTo(bytes, bytes.Length / 2);
            File.WriteAllBytes(path, bytes);
        }

        CliRunner.Result r = CliRunner.Run("run", "--source", path, "--model", TestPaths.Model("yolo-seg.onnx"), "--device", "cpu", "--no-track",
            "--out", dir.File("o.mp4"), "--meta", dir.File("m.ndjson"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Match m = Lost().Match(r.StdErr);
        Assert.True(m.Success, "no report of the lost frames: " + r.StdErr);
        long decoded = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(795, long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(decoded, 100, 794);
        Assert.Contains($"frames in {decoded}, out {decoded}, dropped 0", r.StdOut, StringComparison.Ordinal);
        Assert.Equal(decoded, File.ReadAllLines(dir.File("m.ndjson")).Length);
        Assert.Equal((int)decoded, Ffprobe.Probe(dir.File("o.mp4")).FrameCount);
    }

    [GeneratedRegex(@"(\d+) of (\d+) frames decoded; \d+ could not be \(corrupt or truncated file\)")]
    private static partial Regex Lost();
}
