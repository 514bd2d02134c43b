using System.Diagnostics;
using System.Globalization;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Sinks;

/// <summary>
/// A shell script that stands in for ffmpeg, so that a test decides what "ffmpeg" does: what it prints on stderr (in
/// ffmpeg's <c>-loglevel level+info</c> form), whether it reads its input, when it exits. Each start is counted.
/// </summary>
internal sealed class FakeFfmpeg : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>Writes the script; <paramref name="body"/> is sh, and <c>$n</c> is the number of this start (1, 2, …).</summary>
    public FakeFfmpeg(string body)
    {
        Path = _dir.File("ffmpeg");
        string count = _dir.File("starts");
        File.WriteAllText(Path, string.Create(CultureInfo.InvariantCulture,
            $"#!/bin/sh\nn=$(cat '{count}' 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > '{count}'\n{body}\n"));
        using Process chmod = Process.Start("chmod", ["+x", Path]);
        chmod.WaitForExit();
    }

    /// <summary>The line ffmpeg prints once the RTSP server has accepted the stream.</summary>
    public const string OutputLine = "echo \"[out#0/rtsp @ 0x1] [info] Output #0, rtsp, to 'rtsp://fake':\" >&2";

    /// <summary>Gets the script's path, to use as the ffmpeg executable.</summary>
    public string Path { get; }

    /// <summary>Gets how many times the script has been started.</summary>
    public int Starts => File.Exists(_dir.File("starts")) ? int.Parse(File.ReadAllText(_dir.File("starts")).Trim(), CultureInfo.InvariantCulture) : 0;

    /// <summary>Returns an sh line that prints <paramref name="message"/> as an ffmpeg error.</summary>
    public static string Error(string message) => $"echo \"[out#0/rtsp @ 0x1] [error] {message}\" >&2";

    public void Dispose() => _dir.Dispose();
}
