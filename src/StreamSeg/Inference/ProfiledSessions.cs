using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StreamSeg.Inference;

/// <summary>
/// The sessions of one model on TensorRT with shape profiles: the main session, built for the profile of the run's
/// sources and batch sizes (<see cref="Apply"/>), and one more per frame size that falls outside it, each with an engine
/// of its own (cached under its own key), made the first time such a frame comes and logged once.
/// </summary>
/// <remarks>
/// Without a plan (and on providers other than TensorRT, where the model never calls <see cref="Apply"/>) every frame
/// runs on the main session. Which session a frame size and batch take is decided once and remembered, so the lookup
/// per frame allocates nothing. Not thread-safe: one worker runs a model at a time.
/// </remarks>
internal sealed partial class ProfiledSessions : IDisposable
{
    private readonly Func<TensorRtProfile?, ModelSession> _create;
    private readonly Func<FrameSize, int, IReadOnlyDictionary<string, long[]>> _shapesAt;
    private readonly string _modelName;
    private readonly ILogger _logger;
    private readonly Dictionary<(int Width, int Height, int Batch), ModelSession> _routes = [];
    private readonly Dictionary<FrameSize, ModelSession> _own = [];
    private int _maxBatch = 1;

    /// <summary>Creates the set around <paramref name="main"/>.</summary>
    /// <param name="main">The session made at load, without a profile.</param>
    /// <param name="create">Creates a session built for a profile.</param>
    /// <param name="shapesAt">The shapes of the model's dynamic inputs for a frame size and a batch (none: nothing to profile).</param>
    /// <param name="modelName">The model, for messages.</param>
    /// <param name="logger">Gets the profile lines and the warning for a frame outside the profile.</param>
    public ProfiledSessions(ModelSession main, Func<TensorRtProfile?, ModelSession> create, Func<FrameSize, int, IReadOnlyDictionary<string, long[]>> shapesAt, string modelName, ILogger? logger = null)
    {
        Main = main;
        _create = create;
        _shapesAt = shapesAt;
        _modelName = modelName;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the session built for <see cref="Profile"/> (or for no profile).</summary>
    public ModelSession Main { get; private set; }

    /// <summary>Gets the profile the main session was built for, or null.</summary>
    public TensorRtProfile? Profile { get; private set; }

    /// <summary>Gets the frame sizes outside the profile that got sessions of their own.</summary>
    public IReadOnlyCollection<FrameSize> OwnEngines => _own.Keys;

    /// <summary>
    /// Builds the main session for the profile of <paramref name="plan"/> (replacing the one made at load, unless the
    /// profile is the same); returns the profile, or null when the model has no dynamic input to profile.
    /// </summary>
    public TensorRtProfile? Apply(TensorRtShapePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        TensorRtProfile? profile = TensorRtProfile.Build(plan, _shapesAt);
        _maxBatch = plan.MaxBatch;
        if (profile is null || profile.Text == Profile?.Text)
        {
            return profile;
        }

        ModelSession next = _create(profile);
        Clear();
        Main.Dispose();
        Main = next;
        Profile = profile;
        LogProfile(_logger, _modelName, profile.MinShapes, profile.OptShapes, profile.MaxShapes);
        return profile;
    }

    /// <summary>Gets the session for a run of <paramref name="batch"/> frames of the given size.</summary>
    public ModelSession For(int frameWidth, int frameHeight, int batch)
    {
        if (Profile is null)
        {
            return Main;
        }

        if (_routes.TryGetValue((frameWidth, frameHeight, batch), out ModelSession? session))
        {
            return session;
        }

        var size = new FrameSize(frameWidth, frameHeight);
        if (Profile.Covers(_shapesAt(size, batch)))
        {
            session = Main;
        }
        else if (!_own.TryGetValue(size, out session))
        {
            TensorRtProfile own = TensorRtProfile.Build(new TensorRtShapePlan(size, Math.Max(_maxBatch, batch)), _shapesAt)!;
            LogOutsideProfile(_logger, _modelName, size.ToString(), Profile.MinShapes, Profile.MaxShapes, own.MaxShapes);
            session = _create(own);
            _own[size] = session;
        }

        _routes[(frameWidth, frameHeight, batch)] = session;
        return session;
    }

    /// <summary>Releases every session.</summary>
    public void Dispose()
    {
        Clear();
        Main.Dispose();
    }

    private void Clear()
    {
        foreach (ModelSession s in _own.Values)
        {
            s.Dispose();
        }

        _own.Clear();
        _routes.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: TensorRT engine built for the profile min {Min}, opt {Opt}, max {Max}.")]
    private static partial void LogProfile(ILogger logger, string model, string min, string opt, string max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Model}: frames of {Size} fall outside the TensorRT profile (min {Min}, max {Max}); building an engine of their own for {Own}, cached for the next run.")]
    private static partial void LogOutsideProfile(ILogger logger, string model, string size, string min, string max, string own);
}
