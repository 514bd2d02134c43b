using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Run;
using StreamSeg.Configuration;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;

namespace StreamSeg.Cli.Bench;

/// <summary>
/// <c>streamseg bench</c> under the host: in one process, the model(s) alone on preloaded tensors, then the whole
/// pipeline on the same video (decode → preprocess → inference → decode → tracking → overlay → H.264 MP4 + NDJSON),
/// their ratio, per-stage latency, managed bytes allocated per frame and RSS, then latency at the source's own rate for
/// 1, 2, 4 … copies of the video. Figures, not pass/fail.
/// </summary>
internal sealed class BenchJob : ICliJob
{
    /// <summary>The most copies of the video the paced multi-stream table runs (it stops earlier once p95 passes 100 ms).</summary>
    private const int MaxPacedStreams = 32;

    /// <summary>The frame from which allocations count as steady state.</summary>
    private const int SteadyAfter = 50;

    private static readonly JsonSerializerOptions s_reportJson = new() { WriteIndented = true };

    private readonly RunConfig _config;
    private readonly BenchSettings _settings;
    private readonly ModelLoader _models;
    private readonly PipelineSession _session;
    private readonly InterruptState _interrupts;

    /// <summary>Creates the job: <paramref name="config"/> is the run benchmarked (its models and first source).</summary>
    public BenchJob(RunConfig config, BenchSettings settings, ModelLoader models, PipelineSession session, InterruptState interrupts)
    {
        _config = config;
        _settings = settings;
        _models = models;
        _session = session;
        _interrupts = interrupts;
    }

    /// <inheritdoc/>
    public async Task<int> RunAsync(CancellationToken stop, CancellationToken abort)
    {
        RunConfig config = _config;
        long frames = _settings.Frames;

        // 1. Inference only, on tensors prepared beforehand from the first frames of the video: the models one after
        // another (each with every intra-op thread) and side by side (each with its share), in alternating halves so
        // that a disturbance on a shared machine does not favour one of them; each figure is the better of its halves.
        int asked = config.ModelConcurrency;
        int concurrent = asked == 1 ? 0 : asked;

        // The lanes each mode runs on (the default: one per model, at most one per core), as the pipeline counts them.
        int concurrentLanes = ModelLoader.ModelLanesFor(WithConcurrency(config, concurrent));
        int askedLanes = ModelLoader.ModelLanesFor(config);
        var sequentialModels = new List<OnnxModel>();
        var concurrentModels = new List<OnnxModel>();
        double sequentialFps;
        double? concurrentFps = null;
        double inferenceFps;
        var byBatch = new SortedDictionary<int, double>();
        string provider;
        string inputs;
        List<Dictionary<string, object?>> modelRows;
        List<OnnxModel> models;
        try
        {
            config.ModelConcurrency = 1;
            _models.Load(config, _models.CreateSessionFactory(config), sequentialModels);
            config.ModelConcurrency = concurrent;
            bool sideBySide = ModelLoader.ModelLanesFor(config) > 1;
            if (sideBySide)
            {
                _models.Load(config, _models.CreateSessionFactory(config), concurrentModels);
            }

            config.ModelConcurrency = asked;

            // The set the pipeline's mode uses: measured again after the pipeline, and at larger batches.
            models = asked != 1 && sideBySide ? concurrentModels : sequentialModels;
            provider = models[0].Provider;
            (int width, int height) = InferenceBenchmark.FrameSize(config.Sources[0].Uri);
            inputs = string.Join("; ", models.Select(m => $"{Path.GetFileName(m.Path)}: {ModelLoader.Describe(m.Input)}"));
            modelRows = models.ConvertAll(m => new Dictionary<string, object?>
            {
                ["name"] = Path.GetFileName(m.Path),
                ["adapter"] = m.Adapter.Name,
                ["input_shape"] = TensorWriter.ShapeFor(m.Input, width, height),
                ["input_type"] = TensorWriter.ElementFor(m.Input).ToString().ToLowerInvariant(),
                ["batches"] = m.SupportsBatch,
            });
            inputs += " — fed " + string.Join(", ", modelRows.Select(r => $"[{string.Join(',', (long[])r["input_shape"]!)}] {r["input_type"]}"));
            int runs = (int)Math.Min(frames, 200);
            int half = Math.Max(4, runs / 2);
            sequentialFps = 0;
            for (int round = 0; round < 2; round++)
            {
                sequentialFps = Math.Max(sequentialFps, InferenceBenchmark.Measure(config.Sources[0].Uri, sequentialModels, half, batch: 1, concurrency: 1));
                if (sideBySide)
                {
                    concurrentFps = Math.Max(concurrentFps ?? 0, InferenceBenchmark.Measure(config.Sources[0].Uri, concurrentModels, half, batch: 1, concurrency: concurrentLanes));
                }
            }

            inferenceFps = Math.Max(sequentialFps, concurrentFps ?? 0);
            if (models.Exists(m => m.SupportsBatch))
            {
                // Frames per second at larger batches (the models that cannot batch run frame by frame within them).
                byBatch[1] = models == sequentialModels ? sequentialFps : concurrentFps!.Value;
                for (int b = 2; b <= 8; b *= 2)
                {
                    byBatch[b] = InferenceBenchmark.Measure(config.Sources[0].Uri, models, Math.Max(runs, 4 * b), b, askedLanes);
                }
            }
        }
        catch
        {
            config.ModelConcurrency = asked;
            sequentialModels.ForEach(m => m.Dispose());
            concurrentModels.ForEach(m => m.Dispose());
            throw;
        }

        // 2. The whole pipeline on the same video, writing real outputs to a scratch folder.
        string scratch = Directory.CreateTempSubdirectory("streamseg-bench-").FullName;
        config.Out = Path.Combine(scratch, "bench.mp4");
        config.Meta = Path.Combine(scratch, "bench.ndjson");
        PipelineResult? result = null;
        PipelineStats? stats = null;
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);

        // Steady-state allocation: counted from frame SteadyAfter on, once the pools, queues and learned output
        // buffers have filled (a sampler notes the bytes allocated when that frame goes out).
        (long Frames, long Bytes) mark = (-1, 0);
        using var sampling = new CancellationTokenSource();
        Task? sampler = null;
        int code;
        long allocatedEnd;
        double inferenceAfter;
        try
        {
            PipelineRun run = await _session.RunAsync(
                config,
                stop,
                abort,
                s => sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested && s.FramesOut < SteadyAfter)
                    {
                        await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
                    }

                    mark = (s.FramesOut, GC.GetTotalAllocatedBytes(true));
                })).ConfigureAwait(false);
            (result, stats) = (run.Result, run.Stats);
            code = _interrupts.Interrupted ? ExitCodes.Interrupted : ExitCodes.Ok;
            allocatedEnd = GC.GetTotalAllocatedBytes(true);
            await sampling.CancelAsync().ConfigureAwait(false);
            if (sampler is not null)
            {
                await sampler.ConfigureAwait(false);
            }

            // 1 again: the models alone once more, after the pipeline. Whatever disturbed one of the two measurements
            // (a build or JIT still finishing, another process), the better one is the models' speed on this machine.
            inferenceAfter = code == ExitCodes.Ok ? InferenceBenchmark.Measure(config.Sources[0].Uri, models, (int)Math.Min(frames, 200), batch: 1, askedLanes) : 0;
        }
        finally
        {
            sequentialModels.ForEach(m => m.Dispose());
            concurrentModels.ForEach(m => m.Dispose());
        }

        long allocated = allocatedEnd - allocatedBefore;
        double inferenceBefore = models == sequentialModels ? sequentialFps : concurrentFps!.Value;
        inferenceFps = Math.Max(inferenceFps, inferenceAfter);
        Directory.Delete(scratch, recursive: true);
        if (code != ExitCodes.Ok || result is null || stats is null)
        {
            return code;
        }

        double pipelineFps = result.FramesOut / result.Elapsed.TotalSeconds;
        long rss = Process.GetCurrentProcess().WorkingSet64;

        // 3 and 4: latency at the source's own frame rate (a looping file read at its fps: live, drops oldest), for
        // 1, 2, 4 … copies of the video sharing the models (batched across streams where a model can), until the p95
        // passes 100 ms (at least one row) or MaxPacedStreams.
        long pacedFrames = Math.Min(frames, 100);
        var streamRows = new List<Dictionary<string, object?>>();
        for (int n = 1; n <= MaxPacedStreams; n *= 2)
        {
            RunConfig paced = PacedCopies(config, n, pacedFrames);
            (PipelineResult pr, PipelineStats ps) = await _session.RunAsync(paced, stop, abort).ConfigureAwait(false);
            if (_interrupts.Interrupted)
            {
                return ExitCodes.Interrupted;
            }

            streamRows.Add(new Dictionary<string, object?>
            {
                ["streams"] = n,
                ["fps_total"] = Math.Round(pr.FramesOut / pr.Elapsed.TotalSeconds, 2),
                ["dropped"] = pr.Dropped,
                ["e2e_p50_ms"] = Math.Round(ps.EndToEnd.Percentile(50), 1),
                ["e2e_p95_ms"] = Math.Round(ps.EndToEnd.Percentile(95), 1),
                ["e2e_p99_ms"] = Math.Round(ps.EndToEnd.Percentile(99), 1),
                ["mean_batch"] = ps.Batches == 0 ? 1 : Math.Round(ps.MeanBatch, 2), // no batching stage: one frame per run
                ["stages_p95_ms"] = Enumerable.Range(0, PipelineStageInfo.Count).ToDictionary(
                    i => PipelineStageInfo.Name((PipelineStage)i),
                    i => Math.Round(ps.Stage((PipelineStage)i).Percentile(95), 1)),
            });
            if (ps.EndToEnd.Percentile(95) > 100)
            {
                break;
            }
        }

        var report = new Dictionary<string, object?>
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["machine"] = new Dictionary<string, object?>
            {
                ["cpu"] = CpuModel(),
                ["cores"] = Environment.ProcessorCount,
                ["gpu"] = TensorRtEngineCache.GpuName(0),
                ["gpu_driver"] = TensorRtEngineCache.DriverVersion(),
            },
            ["upload"] = modelRows.Exists(r => (string?)r["input_type"] == "uint8") ? "uint8" : "float",
            ["provider"] = provider,
            ["onnxruntime"] = OnnxSessionFactory.OrtVersion,
            ["models"] = modelRows,
            ["models_text"] = inputs,
            ["source"] = Path.GetFileName(config.Sources[0].Uri),
            ["frames"] = result.FramesOut,
            ["inference_only_fps"] = Math.Round(inferenceFps, 2),
            ["inference_sequential_fps"] = Math.Round(sequentialFps, 2),
            ["inference_concurrent_fps"] = concurrentFps is double c ? Math.Round(c, 2) : null,
            ["model_concurrency"] = asked,
            ["intra_op_threads_per_model"] = new { sequential = ModelLoader.IntraOpThreadsPerModel(WithConcurrency(config, 1)), concurrent = ModelLoader.IntraOpThreadsPerModel(WithConcurrency(config, concurrent)) },
            ["inference_only_fps_before_after_pipeline"] = new[] { Math.Round(inferenceBefore, 2), Math.Round(inferenceAfter, 2) },
            ["inference_only_fps_by_batch"] = byBatch.Count == 0 ? null : byBatch.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => Math.Round(kv.Value, 2)),
            ["best_batch"] = byBatch.Count == 0 ? 1 : byBatch.MaxBy(kv => kv.Value).Key,
            ["pipeline_fps"] = Math.Round(pipelineFps, 2),
            ["ratio"] = Math.Round(pipelineFps / inferenceFps, 3),
            ["stages_ms"] = Enumerable.Range(0, PipelineStageInfo.Count).ToDictionary(
                i => PipelineStageInfo.Name((PipelineStage)i),
                i => new { p50 = Math.Round(stats.Stage((PipelineStage)i).Percentile(50), 2), p95 = Math.Round(stats.Stage((PipelineStage)i).Percentile(95), 2) }),
            ["end_to_end_ms"] = new { p50 = Math.Round(stats.EndToEnd.Percentile(50), 1), p95 = Math.Round(stats.EndToEnd.Percentile(95), 1) },
            ["managed_bytes_per_frame"] = result.FramesOut > 0 ? allocated / result.FramesOut : 0,
            ["managed_bytes_per_frame_steady"] = result.FramesOut > mark.Frames && mark.Frames >= 0 ? (allocatedEnd - mark.Bytes) / (result.FramesOut - mark.Frames) : null,
            ["paced_streams"] = streamRows,
            ["rss_mb"] = rss / (1024 * 1024),
        };

        Console.WriteLine($"bench: {report["source"]}, {result.FramesOut} frames, provider {provider}, {Environment.ProcessorCount} cores ({CpuModel()}), GPU {TensorRtEngineCache.GpuName(0)} (driver {TensorRtEngineCache.DriverVersion()})");
        Console.WriteLine($"  models               {inputs}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  inference only       {inferenceFps,8:0.00} fps (batch 1, best of: {sequentialFps:0.00} models in sequence, {(concurrentFps is double cf ? cf.ToString("0.00", CultureInfo.InvariantCulture) + " side by side" : "one model: nothing to run side by side")}, {inferenceAfter:0.00} after the pipeline)"));
        if (concurrentFps is double side)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  side by side/sequence {side / sequentialFps,8:0.000}"));
        }

        if (byBatch.Count > 0)
        {
            KeyValuePair<int, double> best = byBatch.MaxBy(kv => kv.Value);
            Console.WriteLine("  by batch size        " + string.Join("   ", byBatch.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}: {kv.Value:0.00}"))) + $" fps; best {best.Key}");
        }
        else
        {
            Console.WriteLine("  by batch size        batch 1 only: no model here has a free batch dimension (or it keeps recurrent state)");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  whole pipeline       {pipelineFps,8:0.00} fps"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  pipeline/inference   {pipelineFps / inferenceFps,8:0.000}"));
        Console.WriteLine("  stage            p50 ms   p95 ms");
        for (int i = 0; i < PipelineStageInfo.Count; i++)
        {
            LatencyHistogram h = stats.Stage((PipelineStage)i);
            if (h.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {PipelineStageInfo.Name((PipelineStage)i),-14} {h.Percentile(50),8:0.0} {h.Percentile(95),8:0.0}"));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"end-to-end",-14} {stats.EndToEnd.Percentile(50),8:0.0} {stats.EndToEnd.Percentile(95),8:0.0}"));
        Console.WriteLine($"  managed bytes/frame  {report["managed_bytes_per_frame_steady"],8} after frame {SteadyAfter} ({report["managed_bytes_per_frame"]} over the whole run, with start-up)");
        Console.WriteLine($"  paced at the source's fps, live (drop oldest), {pacedFrames} frames per stream:");
        Console.WriteLine("    streams   fps total   dropped   mean batch   e2e p50   p95     p99 ms");
        foreach (Dictionary<string, object?> row in streamRows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {row["streams"],7}   {row["fps_total"],9}   {row["dropped"],7}   {row["mean_batch"],10}   {row["e2e_p50_ms"],7}   {row["e2e_p95_ms"],-7} {row["e2e_p99_ms"]}"));
        }

        Console.WriteLine($"  RSS at end           {report["rss_mb"],8} MiB");
        if (_settings.JsonPath is string json)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(report, s_reportJson));
        }

        return ExitCodes.Ok;
    }

    private static RunConfig WithConcurrency(RunConfig config, int concurrency) => new()
    {
        Model = config.Model,
        PoseModel = config.PoseModel,
        Detector = config.Detector,
        Threads = config.Threads,
        PoseSize = config.PoseSize,
        ModelConcurrency = concurrency,
    };

    private static RunConfig PacedCopies(RunConfig config, int copies, long frames)
    {
        var sources = new List<SourceConfig>();
        for (int i = 0; i < copies; i++)
        {
            sources.Add(new SourceConfig { Uri = config.Sources[0].Uri, Id = copies == 1 ? null : $"copy{i}", Loop = true });
        }

        return new RunConfig
        {
            Sources = sources,
            Model = config.Model,
            PoseModel = config.PoseModel,
            Adapter = config.Adapter,
            Device = config.Device,
            Threads = config.Threads,
            ModelConcurrency = config.ModelConcurrency,
            PreprocessWorkers = config.PreprocessWorkers,
            PoseSize = config.PoseSize,
            Detector = config.Detector,
            Upload = config.Upload,
            ModelsDir = config.ModelsDir,
            MaxFrames = frames,
            Pace = true,
        };
    }

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or no /proc: the CPU model is informative only.
        }

        return "unknown";
    }
}

