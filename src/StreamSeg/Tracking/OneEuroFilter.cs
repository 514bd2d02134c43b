namespace StreamSeg.Tracking;

/// <summary>
/// The 1€ filter (Casiez, Roussel and Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter for Noisy Input in
/// Interactive Systems", CHI 2012) for one scalar signal: a first-order low-pass filter whose cutoff rises with the
/// signal's speed, so that still signals lose their jitter and moving ones keep up.
/// </summary>
/// <remarks>
/// <para>For a sample X_i at rate f (period T_e = 1/f), with α(f_c) = 1 / (1 + τ/T_e) and τ = 1/(2π·f_c):</para>
/// <list type="number">
/// <item>Speed: Ẋ_i = (X_i − X_{i−1})·f·s, where s is the value scale (1 for the paper; MediaPipe passes 1/object size
/// so that speed is in object sizes per second); 0 for the first sample.</item>
/// <item>Filtered speed: Ẋ̂_i = α(d_cutoff)·Ẋ_i + (1 − α(d_cutoff))·Ẋ̂_{i−1}; Ẋ̂_1 = Ẋ_1.</item>
/// <item>Cutoff: f_c = min_cutoff + β·|Ẋ̂_i|.</item>
/// <item>Output: X̂_i = α(f_c)·X_i + (1 − α(f_c))·X̂_{i−1}; X̂_1 = X_1.</item>
/// </list>
/// <para>
/// This is MediaPipe's <c>OneEuroFilter::Apply</c> (its <c>LowPassFilter</c> starts at the first value it is given)
/// with the rate passed in rather than measured from timestamps. <see cref="Reset"/> starts over, as after a
/// discontinuity. An instance is not thread-safe and allocates nothing per sample.
/// </para>
/// </remarks>
public sealed class OneEuroFilter
{
    private readonly double _minCutoff;
    private readonly double _beta;
    private readonly double _derivativeCutoff;
    private double _lastRaw;
    private double _value;
    private double _speed;
    private bool _started;

    /// <summary>Creates a filter; throws when <paramref name="options"/> are out of range.</summary>
    public OneEuroFilter(OneEuroOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _minCutoff = options.MinCutoff;
        _beta = options.Beta;
        _derivativeCutoff = options.DerivativeCutoff;
    }

    /// <summary>Gets whether the filter has a sample (false when new or after <see cref="Reset"/>).</summary>
    public bool HasValue => _started;

    /// <summary>Gets the last filtered speed estimate Ẋ̂ (in value units × scale per second).</summary>
    public double Speed => _speed;

    /// <summary>The smoothing factor α = 1 / (1 + τ/T_e) of a first-order low-pass filter with cutoff <paramref name="cutoff"/> Hz at <paramref name="frequency"/> Hz.</summary>
    public static double Alpha(double cutoff, double frequency)
    {
        double te = 1.0 / frequency;
        double tau = 1.0 / (2 * Math.PI * cutoff);
        return 1.0 / (1.0 + (tau / te));
    }

    /// <summary>Filters the next sample and returns X̂.</summary>
    /// <param name="value">The sample X_i.</param>
    /// <param name="frequency">The sampling rate f in Hz (the frame rate); must be positive.</param>
    /// <param name="valueScale">The scale s applied to the speed (1 for plain units; 1/object size for MediaPipe's scale-free speed).</param>
    public double Apply(double value, double frequency, double valueScale = 1)
    {
        if (!_started)
        {
            _started = true;
            _lastRaw = value;
            _value = value;
            _speed = 0;
            return value;
        }

        double rawSpeed = (value - _lastRaw) * valueScale * frequency;
        double a = Alpha(_derivativeCutoff, frequency);
        _speed = (a * rawSpeed) + ((1 - a) * _speed);
        double cutoff = _minCutoff + (_beta * Math.Abs(_speed));
        double b = Alpha(cutoff, frequency);
        _value = (b * value) + ((1 - b) * _value);
        _lastRaw = value;
        return _value;
    }

    /// <summary>Forgets the signal: the next sample passes unchanged.</summary>
    public void Reset() => _started = false;
}
