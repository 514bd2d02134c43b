using System.Diagnostics;
using StreamSeg.Capture;

namespace StreamSeg.Tests.Capture;

/// <summary>The one reconnect policy of the source, the RTSP publish sink and the MQTT sink: its schedule and its Polly pipeline.</summary>
public class ReconnectPolicyTests
{
    [Fact]
    public void DelayFor_DoublesUpToTheCap_EveryWaitWithinItsJitterBounds()
    {
        ReconnectPolicy policy = ReconnectPolicy.Default;
        for (int attempt = 1; attempt <= 12; attempt++)
        {
            double full = Math.Min(500 * Math.Pow(2, attempt - 1), 10_000);
            double low = double.MaxValue;
            double high = 0;
            for (int i = 0; i < 200; i++)
            {
                double ms = policy.DelayFor(attempt).TotalMilliseconds;
                Assert.InRange(ms, full * 0.8, full);
                low = Math.Min(low, ms);
                high = Math.Max(high, ms);
            }

            // The jitter spreads the waits: 200 draws all in one half of the band would mean none is applied.
            Assert.True(low < full * 0.9 && high > full * 0.9, $"attempt {attempt}: waits {low}..{high} ms for {full} ms");
        }
    }

    [Fact]
    public void DelayFor_TheBandsEnds_AreTheFullWaitAndTheWaitShortenedByTheJitter()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400), Jitter = 0.25 };
        Assert.Equal(100, policy.DelayFor(1, 0).TotalMilliseconds, 6);
        Assert.Equal(75, policy.DelayFor(1, 1).TotalMilliseconds, 6);
        Assert.Equal(200, policy.DelayFor(2, 0).TotalMilliseconds, 6);
        Assert.Equal(400, policy.DelayFor(3, 0).TotalMilliseconds, 6);
        Assert.Equal(400, policy.DelayFor(4, 0).TotalMilliseconds, 6);
        Assert.Equal(400, policy.DelayFor(int.MaxValue, 0).TotalMilliseconds, 6);
    }

    [Fact]
    public void DelayFor_NoJitter_IsExact()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400), Jitter = 0 };
        Assert.Equal([100.0, 200, 400, 400], Enumerable.Range(1, 4).Select(a => policy.DelayFor(a).TotalMilliseconds));
    }

    [Fact]
    public void DelayFor_QuickPhase_ComesFirst_ThenTheExponentialStepsFromTheStart()
    {
        var policy = new ReconnectPolicy { QuickAttempts = 3, QuickDelay = TimeSpan.FromMilliseconds(50), InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(400), Jitter = 0 };
        Assert.Equal([50.0, 50, 50, 100, 200, 400, 400], Enumerable.Range(1, 7).Select(a => policy.DelayFor(a).TotalMilliseconds));
    }

    [Fact]
    public void LiveSource_QuickProbesForAMinute_ThenBacksOffToTheDefaultsCap_WhileTheSinksDefaultHasNoQuickPhase()
    {
        ReconnectPolicy live = ReconnectPolicy.LiveSource;
        double quick = Enumerable.Range(1, live.QuickAttempts).Sum(a => live.DelayFor(a, 0).TotalSeconds);
        Assert.InRange(quick, 60, 61); // at least a minute of attempts every 0.5 s (each attempt's own time comes on top)
        Assert.Equal(0.5, live.DelayFor(live.QuickAttempts + 1, 0).TotalSeconds, 6);
        Assert.Equal(1.0, live.DelayFor(live.QuickAttempts + 2, 0).TotalSeconds, 6);
        Assert.Equal(10.0, live.DelayFor(live.QuickAttempts + 20, 0).TotalSeconds, 6);

        // The RTSP publish and MQTT sinks keep the schedule they had.
        Assert.Equal(0, ReconnectPolicy.Default.QuickAttempts);
        Assert.Equal(2.0, ReconnectPolicy.Default.DelayFor(3, 0).TotalSeconds, 6);
    }

    [Fact]
    public void AllowsAttemptAfter_ZeroMeansForever()
    {
        Assert.True(ReconnectPolicy.Default.AllowsAttemptAfter(1_000_000));
        var three = ReconnectPolicy.Default with { MaxAttempts = 3 };
        Assert.True(three.AllowsAttemptAfter(2));
        Assert.False(three.AllowsAttemptAfter(3));
    }

    [Fact]
    public void Validate_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { InitialDelay = TimeSpan.Zero }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { MaxDelay = TimeSpan.FromMilliseconds(100) }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { Jitter = 1.5 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { Jitter = double.NaN }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { MaxAttempts = -1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { QuickAttempts = -1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { QuickAttempts = 1, QuickDelay = TimeSpan.Zero }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ReconnectPolicy.Default with { QuickAttempts = 1, QuickDelay = TimeSpan.FromSeconds(11) }).Validate());
    }

    [Fact]
    public async Task Pipeline_MaxAttempts_MakesThatManyCallsThenReturnsTheFailure()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 4 };
        var retries = new List<(int Attempt, TimeSpan Delay)>();
        int calls = 0;
        bool result = await policy.CreatePipeline((a, d) => retries.Add((a, d))).ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(false);
        });

        Assert.False(result);
        Assert.Equal(4, calls);
        Assert.Equal([1, 2, 3], retries.Select(r => r.Attempt));

        // The waits Polly made are the policy's schedule: 5, 10, 20 ms, each shortened by at most 20 %.
        for (int i = 0; i < retries.Count; i++)
        {
            double full = Math.Min(5 * Math.Pow(2, i), 20);
            Assert.InRange(retries[i].Delay.TotalMilliseconds, full * 0.8, full);
        }
    }

    [Fact]
    public async Task Pipeline_Forever_RetriesFailuresAndExceptionsUntilSuccess()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) };
        int calls = 0;
        bool result = await policy.CreatePipeline().ExecuteAsync(_ =>
        {
            calls++;
            return calls switch
            {
                < 5 => ValueTask.FromResult(false),
                < 10 => throw new IOException("refused"),
                _ => ValueTask.FromResult(true),
            };
        });

        Assert.True(result);
        Assert.Equal(10, calls);
    }

    [Fact]
    public async Task Pipeline_CancelledDuringAWait_EndsPromptly()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) };
        using var stop = new CancellationTokenSource();
        int calls = 0;
        var clock = Stopwatch.StartNew();
        stop.CancelAfter(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await policy.CreatePipeline().ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(false);
        }, stop.Token));

        Assert.Equal(1, calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the wait ended {clock.Elapsed} after it began (cancelled after 0.1 s)");
    }

    [Fact]
    public async Task Pipeline_CancellationFromTheAttempt_IsNotRetried()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };
        int calls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await policy.CreatePipeline().ExecuteAsync<bool>(_ =>
        {
            calls++;
            throw new OperationCanceledException();
        }));
        Assert.Equal(1, calls);
    }
}
