using System.Diagnostics;
using OpenCvSharp;
using StreamSeg.Capture;

namespace StreamSeg.Tests.Capture;

public class ReconnectingSourceTests
{
    /// <summary>A live source scripted per call: "f" a frame, "x" a read failure, "e" end of stream; opens fail while <see cref="Down"/>.</summary>
    private sealed class ScriptedSource : IFrameSource
    {
        private readonly Queue<char> _script;

        public ScriptedSource(string script) => _script = new Queue<char>(script);

        public bool Down { get; set; }

        public int Opens { get; private set; }

        public string Id => "rtsp://***@cam/live";

        public SourceKind Kind => SourceKind.Stream;

        public bool IsLive => true;

        public double Fps => 25;

        public long? FrameCount => null;

        public int Width => 32;

        public int Height => 24;

        public void Open()
        {
            Opens++;
            if (Down)
            {
                throw new SourceException("Source 'rtsp://u:pw@cam/live': connection refused");
            }
        }

        public bool Read(Mat target, out TimeSpan pts)
        {
            pts = TimeSpan.Zero;
            char c = _script.Count > 0 ? _script.Dequeue() : 'f';
            if (c == 'x')
            {
                throw new SourceException("Source 'rtsp://u:pw@cam/live': no frame for 5 s (the stream stalled).");
            }

            if (c == 'e')
            {
                return false;
            }

            target.Create(24, 32, MatType.CV_8UC3);
            return true;
        }

        public void Dispose()
        {
        }
    }

    private static readonly ReconnectOptions s_fast = new()
    {
        Policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(80) },
        PlaceholderInterval = TimeSpan.FromMilliseconds(5),
    };

    [Fact]
    public void Read_StallThenBack_ReportsEachStateOnce_FlagsPlaceholdersAndTheGap()
    {
        var inner = new ScriptedSource("ffx");
        var changes = new List<SourceStateChange>();
        using var source = new ReconnectingSource(inner, 0, s_fast, changes.Add, CancellationToken.None);
        source.Open();
        using var m = new Mat();
        Assert.True(source.Read(m, out _));
        Assert.True(source.Read(m, out _));

        // The third read stalls: while the source is down, placeholders come out.
        inner.Down = true;
        Assert.True(source.Read(m, out _));
        Assert.Equal(FrameFlags.Placeholder, source.LastFrameFlags);
        Assert.Equal((32, 24), (m.Width, m.Height));
        Thread.Sleep(100);

        // Back up: the next real frame is flagged as coming after a gap, then frames are ordinary again.
        inner.Down = false;
        FrameFlags flags;
        do
        {
            Assert.True(source.Read(m, out _));
            flags = source.LastFrameFlags;
        }
        while (flags == FrameFlags.Placeholder);

        Assert.Equal(FrameFlags.AfterGap, flags);
        Assert.True(source.Read(m, out _));
        Assert.Equal(FrameFlags.None, source.LastFrameFlags);
        Assert.Equal(1, source.Reconnects);
        Assert.Equal([SourceState.Live, SourceState.Stalled, SourceState.Reconnecting, SourceState.Live], changes.Select(c => c.State));
        Assert.Contains("stalled", changes[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", changes[1].Reason, StringComparison.Ordinal);
        Assert.NotNull(changes[3].Offline);
    }

    [Fact]
    public void Read_MaxAttempts_GivesUpWithAClearError()
    {
        var inner = new ScriptedSource("e");
        var changes = new List<SourceStateChange>();
        using var source = new ReconnectingSource(inner, 0, s_fast with { Policy = s_fast.Policy with { MaxAttempts = 3 }, PlaceholderInterval = TimeSpan.Zero }, changes.Add, CancellationToken.None);
        source.Open();
        inner.Down = true;
        using var m = new Mat();
        SourceException ex = Assert.Throws<SourceException>(() => source.Read(m, out _));
        Assert.Contains("gave up after 3 reconnect attempts", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SourceState.Ended, changes[^1].State);
        Assert.Equal(4, inner.Opens); // the first open, then three attempts
    }

    [Fact]
    public void Read_StopWhileOffline_EndsAtOnce()
    {
        var inner = new ScriptedSource("e");
        using var stop = new CancellationTokenSource();
        using var source = new ReconnectingSource(inner, 0, ReconnectOptions.Default with { PlaceholderInterval = TimeSpan.Zero }, null, stop.Token);
        source.Open();
        inner.Down = true;
        stop.CancelAfter(100);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var m = new Mat();
        Assert.False(source.Read(m, out _));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}");
    }

    /// <summary>
    /// A network source whose server is down or up (<see cref="Up"/>): opens fail while it is down and take
    /// <see cref="OpenTime"/> when it is up; its probe answers at once. Counts opens and probes.
    /// </summary>
    private sealed class ProbedSource : IFrameSource, IReachabilityProbe
    {
        private volatile bool _up = true;
        private int _opens;
        private int _probes;

        public bool Up
        {
            get => _up;
            set => _up = value;
        }

        public bool OpenFailsWhenUp { get; set; }

        public TimeSpan OpenTime { get; set; }

        public int Opens => Volatile.Read(ref _opens);

        public int Probes => Volatile.Read(ref _probes);

        public string Id => "rtsp://cam/live";

        public SourceKind Kind => SourceKind.Stream;

        public bool IsLive => true;

        public double Fps => 25;

        public long? FrameCount => null;

        public int Width => 32;

        public int Height => 24;

        public void Open()
        {
            Interlocked.Increment(ref _opens);
            if (!_up || OpenFailsWhenUp)
            {
                throw new SourceException("Source 'rtsp://cam/live': connection refused");
            }

            Thread.Sleep(OpenTime);
        }

        public bool Read(Mat target, out TimeSpan pts)
        {
            pts = TimeSpan.Zero;
            if (!_up)
            {
                return false; // the stream ended: the server went away
            }

            target.Create(24, 32, MatType.CV_8UC3);
            return true;
        }

        public SourceReachability Probe(TimeSpan timeout)
        {
            Interlocked.Increment(ref _probes);
            return _up ? SourceReachability.Serving : SourceReachability.Unreachable;
        }

        public void Dispose()
        {
        }
    }

    // Reads until a real frame comes (placeholders in between), for at most 20 s; returns the clock when it came.
    private static TimeSpan ReadUntilLive(ReconnectingSource source, Mat m, Stopwatch clock)
    {
        do
        {
            Assert.True(source.Read(m, out _));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the source never came back");
        }
        while (source.LastFrameFlags == FrameFlags.Placeholder);

        Assert.Equal(FrameFlags.AfterGap, source.LastFrameFlags);
        return clock.Elapsed;
    }

    [Fact]
    public void Read_BackAfterTheQuickPhase_TheProbeReopensAtOnce_NotAtTheNextBackoffStep()
    {
        // Two quick attempts, then a 5 s step: without the probe, a source back at 0.4 s would wait until about 5 s.
        var options = new ReconnectOptions
        {
            Policy = new ReconnectPolicy { QuickAttempts = 2, QuickDelay = TimeSpan.FromMilliseconds(20), InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(10), Jitter = 0 },
            ProbeInterval = TimeSpan.FromMilliseconds(20),
            PlaceholderInterval = TimeSpan.FromMilliseconds(10),
        };
        var inner = new ProbedSource { OpenTime = TimeSpan.FromMilliseconds(150) };
        var changes = new List<SourceStateChange>();
        using var source = new ReconnectingSource(inner, 0, options, changes.Add, CancellationToken.None);
        source.Open();
        using var m = new Mat();
        Assert.True(source.Read(m, out _));

        inner.Up = false;
        var clock = Stopwatch.StartNew();
        var returned = TimeSpan.Zero;
        using (var back = new Timer(_ => inner.Up = true, null, 400, Timeout.Infinite))
        {
            TimeSpan live = ReadUntilLive(source, m, clock);
            returned = TimeSpan.FromMilliseconds(400);
            Assert.True(live - returned < TimeSpan.FromSeconds(2), $"live {live.TotalMilliseconds:0} ms after the outage began, the source was back at 400 ms");
        }

        // A dead host sees probes, not opens: the first open and the one that succeeded.
        Assert.Equal(2, inner.Opens);
        Assert.True(inner.Probes >= 5, $"{inner.Probes} probes");

        // The record says how long it was really away and how long the reopen took.
        SourceStateChange liveAgain = changes[^1];
        Assert.Equal(SourceState.Live, liveAgain.State);
        Assert.NotNull(liveAgain.Reopen);
        Assert.InRange(liveAgain.Reopen!.Value, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(2));
        Assert.InRange(liveAgain.Away!.Value, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(2));
        Assert.Equal(liveAgain.Offline, liveAgain.Away + liveAgain.Reopen);
    }

    [Fact]
    public void Read_ServingButNotOpening_RetriesOnTheSchedule_NotAtEveryProbe()
    {
        // The server answers the probe but the open fails (a wrong codec, say): only the probe's change to Serving
        // brings an open forward; after that the schedule's 5 s step holds, however many probes come.
        var options = new ReconnectOptions
        {
            Policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(10), Jitter = 0 },
            ProbeInterval = TimeSpan.FromMilliseconds(10),
            PlaceholderInterval = TimeSpan.FromMilliseconds(10),
        };
        var inner = new ProbedSource();
        using var source = new ReconnectingSource(inner, 0, options, null, CancellationToken.None);
        source.Open();
        using var m = new Mat();
        Assert.True(source.Read(m, out _));
        inner.Up = false;
        Assert.True(source.Read(m, out _)); // offline: a placeholder
        inner.OpenFailsWhenUp = true;
        inner.Up = true;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(600))
        {
            Assert.True(source.Read(m, out _));
            Assert.Equal(FrameFlags.Placeholder, source.LastFrameFlags);
        }

        Assert.True(inner.Probes >= 10, $"{inner.Probes} probes");
        Assert.Equal(2, inner.Opens); // the first open and the one the probe brought forward
    }
}
