using System.Diagnostics;
using System.Text.Json;

namespace StreamSeg.Tests.Support;

/// <summary>Runs the system <c>ffprobe</c> on a video and reports its first video stream, counting decoded frames.</summary>
internal static class Ffprobe
{
    public sealed record StreamInfo(string CodecName, int Width, int Height, int FrameCount);

    public static StreamInfo Probe(string path)
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
        Assert.True(p.ExitCode == 0, $"ffprobe failed on '{path}' (exit {p.ExitCode}): {stderr.Result}");
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement streams = doc.RootElement.GetProperty("streams");
        Assert.True(streams.GetArrayLength() == 1, $"ffprobe found no video stream in '{path}': {stdout} {stderr.Result}");
        JsonElement s = streams[0];
        int frames = s.TryGetProperty("nb_read_frames", out JsonElement n) ? int.Parse(n.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return new StreamInfo(s.GetProperty("codec_name").GetString()!, s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(), frames);
    }
}
