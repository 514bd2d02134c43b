using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Pipeline;
using StreamSeg.Sinks;

namespace StreamSeg.Cli.Run;

/// <summary>
/// One run from settings to finalised outputs: checks the outputs, loads the models, opens the sources, builds the
/// stages and sinks, runs the pipeline with progress and stats lines, and closes everything it opened.
/// </summary>
/// <remarks>Settings in the constructor, the run's data in the call: one session object serves any number of runs (bench runs several).</remarks>
internal sealed partial class PipelineSession
{
    private readonly ModelLoader _models;
    private readonly SourceBuilder _sources;
    private readonly SinkFactory _sinks;
    private readonly LogSettings _logSettings;
    private readonly InterruptState _interrupts;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<PipelineSession> _logger;

    /// <summary>Creates the session.</summary>
    public PipelineSession(ModelLoader models, SourceBuilder sources, SinkFactory sinks, LogSettings logSettings, InterruptState interrupts, ILoggerFactory loggerFactory)
    {
        _interrupts = interrupts;
        _models = models;
        _sources = sources;
        _sinks = sinks;
        _logSettings = logSettings;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PipelineSession>();
    }

    /// <summary>
    /// Runs <paramref name="config"/>. <paramref name="stop"/> stops reading and drains the pipeline,
    /// <paramref name="abort"/> stops at once; either way every output is finalised. <paramref name="onStart"/> sees
    /// the stats before the models load (bench samples allocations from it).
    /// </summary>
    public async Task<PipelineRun> RunAsync(RunConfig config, CancellationToken stop, CancellationToken abort, Action<PipelineStats>? onStart = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        OutputPaths.CheckWritable(config.Out, "--out");
        OutputPaths.CheckWritable(config.Meta, "--meta");
        OnnxSessionFactory factory = _models.CreateSessionFactory(config);
        var models = new List<OnnxModel>();
        var sources = new List<IFrameSource>();
        using PipelineMetrics? metrics = config.Http is null ? null : new PipelineMetrics();
        var stats = new PipelineStats(metrics);
        onStart?.Invoke(stats);

        // Sinks that report source health; filled when the sinks are made, after the sources (the video needs their fps).
        var healthSinks = new List<IHealthSink>();
        try
        {
            _models.Load(config, factory, models);
            stats.Provider = models[0].Provider;
            LogProvider(_logger, models[0].Provider, OnnxSessionFactory.OrtVersion);
            OpenCvThreads.Apply(models, _logger);
            _sources.Open(config, sources, stats, healthSinks, stop);
            _models.WarmUp(models, sources.ConvertAll(s => new FrameSize(s.Width, s.Height)), ModelLoader.RequestedBatch(config, sources.Count));
            IReadOnlyList<TensorMemory> inputMemories = new InputMemorySelector(factory.PinnedHostMemory, _loggerFactory.CreateLogger<InputMemorySelector>()).For(models);
            return await RunPipelineAsync(config, models, inputMemories, sources, stats, healthSinks, stop, abort).ConfigureAwait(false);
        }
        finally
        {
            foreach (IFrameSource s in sources)
            {
                s.Dispose();
            }

            foreach (OnnxModel m in models)
            {
                m.Dispose();
            }

            // The pinned allocator goes once the last pinned input (a frame still held) is freed.
            factory.PinnedHostMemory.Dispose();
        }
    }

    private async Task<PipelineRun> RunPipelineAsync(RunConfig config, List<OnnxModel> models, IReadOnlyList<TensorMemory> inputMemories, List<IFrameSource> sources, PipelineStats stats, List<IHealthSink> healthSinks, CancellationToken stop, CancellationToken abort)
    {
        List<(IStage<Frame, Frame> Stage, PipelineStage Kind)> stages = StageComposer.Create(config, models, sources.Count, stats, _loggerFactory, sources: sources, inputMemories: inputMemories);
        SinkSet? sinks = null;
        try
        {
            sinks = await _sinks.CreateAsync(config, sources, stats).ConfigureAwait(false);
            healthSinks.AddRange(sinks.HealthSinks);
            var runner = new PipelineRunner(PipelineOptions.Default with { Pace = config.Pace }, stats, _loggerFactory);
            long? total = null;
            foreach (IFrameSource s in sources)
            {
                total = s.FrameCount is long n && !s.IsLive ? (total ?? 0) + n : total;
            }

            PipelineResult result;

            // From here a signal drains: the runner finalises the outputs however it ends. The progress bar is for
            // people; JSON lines are for machines, which read --report-every's stats lines instead.
            using (_interrupts.EnterPipeline())
            await using (ProgressReporter? progress = _logSettings.Format == LogFormat.Text ? new ProgressReporter(stats, total) : null)
            await using (StatsReporter? report = config.ReportEvery > 0 ? new StatsReporter(stats, TimeSpan.FromSeconds(config.ReportEvery), _loggerFactory.CreateLogger<StatsReporter>()) : null)
            {
                result = await runner.RunAsync(sources, stages, sinks.Bindings, stop, abort).ConfigureAwait(false);
            }

            for (int i = 0; i < sources.Count && result.FramesPerSource is not null; i++)
            {
                // FFmpeg skips what it cannot decode: the shortfall against the container's frame count is what was lost.
                if (!result.Cancelled && !sources[i].IsLive && sources[i].FrameCount is long expected && result.FramesPerSource[i] < expected)
                {
                    LogFramesLost(_logger, sources[i].Id, result.FramesPerSource[i], expected, expected - result.FramesPerSource[i]);
                }
            }

            return new PipelineRun(result, stats);
        }
        finally
        {
            if (sinks is not null)
            {
                await sinks.DisposeWebAsync().ConfigureAwait(false);
            }

            foreach ((IStage<Frame, Frame> stage, _) in stages)
            {
                await stage.DisposeAsync().ConfigureAwait(false);
            }

            if (sinks is not null)
            {
                await sinks.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "execution provider: {Provider} (ONNX Runtime {OrtVersion})")]
    private static partial void LogProvider(ILogger logger, string provider, string ortVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "source '{SourceId}': {Decoded} of {Expected} frames decoded; {Lost} could not be (corrupt or truncated file) and were skipped")]
    private static partial void LogFramesLost(ILogger logger, string sourceId, long decoded, long expected, long lost);
}
