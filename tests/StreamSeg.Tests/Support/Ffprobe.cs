using System.Diagnostics;
using System.Text.Json;

namespace StreamSeg.Tests.Support;

/// <summary>Runs the system <c>ffprobe</c> on a video and reports its first video stream, counting decoded frames.</summary>
internal static class Ffprobe
{
    public sealed record StreamInfo(string CodecName, int Width, int Height, int FrameCount);

    public static StreamInfo Probe(string path)
    {
        (int exitCode, string stdout, string stderr) = Run(path);
        Assert.True(exitCode == 0, $"ffprobe failed on '{path}' (exit {exitCode}): {stderr}");
        StreamInfo? info = Parse(stdout);
        Assert.True(info is not null, $"ffprobe found no video stream in '{path}': {stdout} {stderr}");
        return info;
    }

    /// <summary>Probes <paramref name="path"/> as <see cref="Probe"/> does, returning null instead of failing (for polls on a file still being written).</summary>
    public static StreamInfo? TryProbe(string path)
    {
        (int exitCode, string stdout, _) = Run(path);
        return exitCode == 0 ? Parse(stdout) : null;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string path)
    {
        var psi = new ProcessStartInfo("ffprobe")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", path })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "ffprobe did not finish");
        return (p.ExitCode, stdout, stderr.Result);
    }

    private static StreamInfo? Parse(string stdout)
    {
        using JsonDocument doc = JsonDocument.Parse(stdout);
        if (!doc.RootElement.TryGetProperty("streams", out JsonElement streams) || streams.GetArrayLength() != 1)
        {
            return null;
        }

        JsonElement s = streams[0];
        int frames = s.TryGetProperty("nb_read_frames", out JsonElement n) ? int.Parse(n.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return new StreamInfo(s.GetProperty("codec_name").GetString()!, s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(), frames);
    }
}
