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
}
