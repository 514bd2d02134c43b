using System.Diagnostics;
using System.Globalization;

namespace StreamSeg.Tests.Support;

/// <summary>
/// Bounded polls for a real peer to be ready (listening on a port, serving a stream). A fixed sleep guesses how long a
/// peer takes to start, and on a loaded machine (many builds on two cores) the guess is wrong; these wait for the
/// condition itself, generously, and say what they waited for when it never came.
/// </summary>
internal static class Readiness
{
    /// <summary>How long a peer may take to become ready: far more than it needs, so that only a real fault times out.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_probeAttemptLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Waits until something accepts TCP connections on loopback <paramref name="port"/>, failing the test after
    /// <see cref="Timeout"/> or as soon as <paramref name="process"/> (the peer that should listen) exits.
    /// </summary>
    public static void WaitForListener(int port, string what, Process? process = null)
    {
        var clock = Stopwatch.StartNew();
        while (!Ports.Accepts(port))
        {
            Assert.False(process is { HasExited: true }, $"{what} exited before it listened on port {port}");
            Assert.True(clock.Elapsed < Timeout, $"{what} did not listen on port {port} within {Timeout.TotalSeconds} s");
            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Waits until <c>ffprobe</c> finds a video stream at <paramref name="url"/> (for an RTSP relay: until the publisher
    /// has announced it, before which a viewer's DESCRIBE gets 404), failing the test after <paramref name="timeout"/> or
    /// as soon as <paramref name="publisher"/> exits. RTSP is pulled over UDP, as the tests' viewers do.
    /// </summary>
    public static void WaitForStream(string url, TimeSpan timeout, Process? publisher = null)
    {
        var clock = Stopwatch.StartNew();
        string last = "no ffprobe attempt finished";
        while (true)
        {
            Assert.False(publisher is { HasExited: true }, $"the publisher exited before the stream {url} was up; last ffprobe: {last}");
            TimeSpan left = timeout - clock.Elapsed;
            Assert.True(left > TimeSpan.Zero, $"the stream {url} was not up within {timeout.TotalSeconds} s (ffprobe found no video stream); last ffprobe: {last}");
            if (TryProbeStream(url, left < s_probeAttemptLimit ? left : s_probeAttemptLimit, out last))
            {
                return;
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.
    /// For waits whose outcome the caller asserts itself (with the message that says what was wrong).
    /// </summary>
    public static bool PollUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    private static bool TryProbeStream(string url, TimeSpan limit, out string outcome)
    {
        var psi = new ProcessStartInfo("ffprobe") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var args = new List<string> { "-v", "error" };
        if (url.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase))
        {
            // Socket I/O timeout (µs): a relay that stopped answering ends the attempt instead of hanging it.
            args.AddRange(["-rtsp_transport", "udp", "-timeout", "5000000"]);
        }

        args.AddRange(["-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url]);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            outcome = string.Create(CultureInfo.InvariantCulture, $"still waiting after {limit.TotalSeconds:0.#} s");
            return false;
        }

        p.WaitForExit(); // the output is read to its end
        string codec = stdout.Result.Trim();
        outcome = string.Create(CultureInfo.InvariantCulture, $"exit {p.ExitCode}: {codec} {stderr.Result.Trim()}");
        return p.ExitCode == 0 && codec.Length > 0;
    }
}
