using System.Globalization;
using Polly;
using Polly.Retry;

namespace StreamSeg.Capture;

/// <summary>
/// How a lost connection is retried: the delay before each attempt and how many attempts are made. The one policy
/// shared by the reconnecting source (<see cref="ReconnectingSource"/>), the RTSP publish sink and the MQTT message
/// sink, so that the schedule is defined, validated and tested in one place.
/// </summary>
/// <remarks>
/// <para>
/// The schedule (<see cref="DelayFor(int)"/>) is exponential with jitter: attempt <c>n</c> (1-based) waits
/// <c>min(MaxDelay, InitialDelay × 2^(n−1))</c>, shortened by a random fraction of at most <see cref="Jitter"/>, so
/// that many clients cut off by one outage do not all come back at the same instant and no wait exceeds
/// <see cref="MaxDelay"/>. With <see cref="QuickAttempts"/> set, the first attempts come every <see cref="QuickDelay"/>
/// instead (quick probes while a short blip is the likely cause), and the exponential steps start after them: a source
/// back after a second is live again within a second, and a host that stays down is asked less and less often.
/// The default (<see cref="Default"/>) has no quick phase; the one for live sources (<see cref="LiveSource"/>) has.
/// </para>
/// <para>
/// Callers that can wait in an asynchronous loop run their attempts through <see cref="CreatePipeline"/>, a Polly
/// retry pipeline whose delays come from this schedule and whose waits end at once when the token is cancelled.
/// Callers that must not wait (a source that emits placeholder frames between attempts, a sink driven by frames)
/// ask the schedule directly and keep their own clock. Example:
/// <c>ReconnectPolicy.Default with { MaxAttempts = 5 }</c>.
/// </para>
/// </remarks>
public sealed record ReconnectPolicy
{
    /// <summary>Gets the defaults: 0.5 s doubling to 10 s, shortened by up to 20 %, forever.</summary>
    public static ReconnectPolicy Default { get; } = new();

    /// <summary>
    /// Gets the schedule for live sources (<see cref="ReconnectOptions.Default"/>): a quick phase of 120 attempts every
    /// 0.5 s (at least a minute), then the defaults' 0.5 s doubling to 10 s.
    /// </summary>
    public static ReconnectPolicy LiveSource { get; } = new() { QuickAttempts = 120 };

    /// <summary>
    /// Gets how many attempts at the start come every <see cref="QuickDelay"/> before the exponential steps begin.
    /// Default 0: no quick phase.
    /// </summary>
    public int QuickAttempts { get; init; }

    /// <summary>Gets the wait before each attempt of the quick phase (<see cref="QuickAttempts"/>). Default 0.5 s.</summary>
    public TimeSpan QuickDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the wait before the first attempt; each failed attempt doubles it, up to <see cref="MaxDelay"/>. Default 0.5 s.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the longest wait between attempts. Default 10 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the fraction (0..1) by which each wait is randomly shortened. Default 0.2: a wait d becomes a random value
    /// in [0.8 d, d]. Zero makes the schedule exact.
    /// </summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Gets how many attempts in a row are made before giving up; 0 (the default) retries forever.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDelay), InitialDelay, "ReconnectPolicy.InitialDelay must be positive and at most MaxDelay.");
        }

        if (MaxDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "ReconnectPolicy.MaxDelay must be at most one day.");
        }

        if (!(Jitter >= 0 && Jitter <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "ReconnectPolicy.Jitter must be within [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxAttempts);
        ArgumentOutOfRangeException.ThrowIfNegative(QuickAttempts);
        if (QuickAttempts > 0 && (QuickDelay <= TimeSpan.Zero || QuickDelay > MaxDelay))
        {
            throw new ArgumentOutOfRangeException(nameof(QuickDelay), QuickDelay, "ReconnectPolicy.QuickDelay must be positive and at most MaxDelay.");
        }
    }

    /// <summary>Returns the wait before attempt <paramref name="attempt"/> (1-based), with a random jitter.</summary>
    public TimeSpan DelayFor(int attempt) => DelayFor(attempt, Random.Shared.NextDouble());

    /// <summary>Returns whether another attempt may follow <paramref name="failedAttempts"/> failed ones in a row.</summary>
    public bool AllowsAttemptAfter(int failedAttempts) => MaxAttempts == 0 || failedAttempts < MaxAttempts;

    /// <summary>
    /// Builds a Polly retry pipeline for an attempt that returns whether it succeeded: a false result or an exception
    /// (other than cancellation) is retried after <see cref="DelayFor(int)"/>, up to <see cref="MaxAttempts"/> calls in
    /// all (forever when 0), and the pipeline then returns the last result. A cancelled token ends a wait at once with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="onRetry">Called before each wait with the 1-based number of the attempt that failed and the wait; may be null.</param>
    /// <param name="timeProvider">The clock for the waits; null uses the system clock (tests pass a fake one).</param>
    public ResiliencePipeline<bool> CreatePipeline(Action<int, TimeSpan>? onRetry = null, TimeProvider? timeProvider = null)
    {
        Validate();
        var retry = new RetryStrategyOptions<bool>
        {
            ShouldHandle = static args => new ValueTask<bool>(args.Outcome.Exception switch
            {
                null => !args.Outcome.Result,
                OperationCanceledException => false,
                _ => true,
            }),
            MaxRetryAttempts = MaxAttempts == 0 ? int.MaxValue : MaxAttempts - 1,

            // Polly's attempt number is the zero-based number of the call that failed; the wait after it comes before attempt + 2.
            DelayGenerator = args => new ValueTask<TimeSpan?>(DelayFor(args.AttemptNumber + 1)),
        };
        if (onRetry is not null)
        {
            retry.OnRetry = args =>
            {
                onRetry(args.AttemptNumber + 1, args.RetryDelay);
                return ValueTask.CompletedTask;
            };
        }

        var builder = new ResiliencePipelineBuilder<bool>();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        return builder.AddRetry(retry).Build();
    }

    /// <summary>Returns the schedule's main values, for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ReconnectPolicy {{ QuickAttempts = {QuickAttempts}, QuickDelay = {QuickDelay.TotalSeconds:0.###} s, InitialDelay = {InitialDelay.TotalSeconds:0.###} s, MaxDelay = {MaxDelay.TotalSeconds:0.###} s, Jitter = {Jitter}, MaxAttempts = {MaxAttempts} }}");

    /// <summary>Returns the wait before attempt <paramref name="attempt"/> (1-based) for a uniform random <paramref name="unit"/> in [0, 1).</summary>
    internal TimeSpan DelayFor(int attempt, double unit)
    {
        double full = attempt <= QuickAttempts
            ? QuickDelay.TotalMilliseconds
            : Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - QuickAttempts - 1, 0, 30)), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full * (1 - (Jitter * unit)));
    }
}
