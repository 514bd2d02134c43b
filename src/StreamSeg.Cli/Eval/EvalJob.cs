using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Run;
using StreamSeg.Configuration;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>
/// <c>streamseg eval --gt … --images DIR</c> under the host: runs StreamSeg itself (the same model loading,
/// preprocessing, provider and adapter as <c>streamseg run</c>, tracking off) on the images the ground truth lists,
/// writes the COCO results file, and evaluates it. A folder source reads one image size, so the images are run in one
/// pass per distinct size, each pass over a scratch folder of links named in ground-truth order.
/// </summary>
internal sealed partial class EvalJob : ICliJob
{
    private readonly RunConfig _config;
    private readonly EvalSettings _settings;
    private readonly PipelineSession _session;
    private readonly InterruptState _interrupts;
    private readonly CocoEvalRunner _runner;
    private readonly ILogger<EvalJob> _logger;

    /// <summary>Creates the job: <paramref name="config"/> holds the model options; its sources and outputs are set here.</summary>
    public EvalJob(RunConfig config, EvalSettings settings, PipelineSession session, InterruptState interrupts, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _config = config;
        _settings = settings;
        _session = session;
        _interrupts = interrupts;
        _runner = new CocoEvalRunner(loggerFactory.CreateLogger<CocoEvalRunner>());
        _logger = loggerFactory.CreateLogger<EvalJob>();
    }

    /// <inheritdoc/>
    public async Task<int> RunAsync(CancellationToken stop, CancellationToken abort)
    {
        CocoDataset gt = CocoEvalRunner.LoadGroundTruth(_settings.GroundTruth);
        List<List<CocoImage>> passes = Passes(gt);
        string scratch = Directory.CreateTempSubdirectory("streamseg-eval-").FullName;
        try
        {
            var frames = new List<(FrameRecord Frame, long ImageId)>();
            for (int p = 0; p < passes.Count && !stop.IsCancellationRequested; p++)
            {
                List<CocoImage> images = passes[p];
                string folder = Path.Combine(scratch, p.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Directory.CreateDirectory(folder);
                for (int i = 0; i < images.Count; i++)
                {
                    string source = Path.GetFullPath(Path.Combine(_settings.Images, images[i].FileName));
                    File.CreateSymbolicLink(Path.Combine(folder, i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture) + Path.GetExtension(source).ToLowerInvariant()), source);
                }

                string meta = Path.Combine(scratch, $"{p}.ndjson");
                _config.Sources = [new SourceConfig { Uri = folder, Id = $"eval{p}" }];
                _config.Meta = meta;
                LogPass(_logger, p + 1, passes.Count, images.Count, images[0].Width, images[0].Height);
                await _session.RunAsync(_config, stop, abort).ConfigureAwait(false);
                foreach (FrameRecord frame in FrameRecordReader.Read(meta))
                {
                    if (frame.Frame < images.Count)
                    {
                        frames.Add((frame, images[(int)frame.Frame].Id));
                    }
                }
            }

            if (_interrupts.Interrupted)
            {
                return ExitCodes.Interrupted;
            }

            CocoResultsExporter exporter = CocoResultsExporter.For(gt);
            var imageIds = new Dictionary<FrameRecord, long>(ReferenceEqualityComparer.Instance);
            foreach ((FrameRecord frame, long id) in frames)
            {
                imageIds[frame] = id;
            }

            (int written, int unknown) = WriteResults(exporter, frames.ConvertAll(f => f.Frame), imageIds);
            LogResults(_logger, written, _settings.Results, unknown);
            if (written == 0)
            {
                throw new ConfigException($"No detection of a ground-truth category ({string.Join(", ", gt.Categories.Select(c => c.Name).Take(5))}…): nothing to evaluate.");
            }

            long started = Stopwatch.GetTimestamp();
            CocoDataset dt = CocoEvalRunner.LoadResults(gt, _settings.Results);
            IReadOnlyList<CocoIouType> types = _settings.Types.Count > 0 ? _settings.Types : Supported(gt, dt);
            _runner.Run(gt, dt, types, Console.Out, _settings.PerCategory, _settings.Json, Stopwatch.GetElapsedTime(started));
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private (int Written, int Unknown) WriteResults(CocoResultsExporter exporter, List<FrameRecord> frames, Dictionary<FrameRecord, long> imageIds)
    {
        OutputPaths.CheckWritable(_settings.Results, "--results");
        using FileStream output = File.Create(_settings.Results);
        return exporter.Write(frames, f => imageIds[f], output);
    }

    /// <summary>The ground truth's images grouped by size, in id order within each group; every file must exist.</summary>
    private List<List<CocoImage>> Passes(CocoDataset gt)
    {
        if (!Directory.Exists(_settings.Images))
        {
            throw new ConfigException($"--images: folder '{_settings.Images}' not found.");
        }

        var missing = new List<string>();
        var bySize = new Dictionary<(int, int), List<CocoImage>>();
        var passes = new List<List<CocoImage>>();
        foreach (CocoImage image in gt.Images.OrderBy(i => i.Id))
        {
            if (!File.Exists(Path.Combine(_settings.Images, image.FileName)))
            {
                missing.Add(image.FileName);
                continue;
            }

            if (!bySize.TryGetValue((image.Width, image.Height), out List<CocoImage>? group))
            {
                group = [];
                bySize[(image.Width, image.Height)] = group;
                passes.Add(group);
            }

            group.Add(image);
        }

        if (missing.Count > 0)
        {
            throw new ConfigException($"--images: {missing.Count} of the {gt.Images.Count} images the ground truth lists are not in '{_settings.Images}' (first: '{missing[0]}').");
        }

        if (passes.Count == 0)
        {
            throw new ConfigException($"The ground truth '{_settings.GroundTruth}' lists no images.");
        }

        return passes;
    }

    /// <summary>bbox always; segm when every detection has a mask; keypoints when every detection and some ground truth has keypoints.</summary>
    private static List<CocoIouType> Supported(CocoDataset gt, CocoDataset dt)
    {
        var types = new List<CocoIouType> { CocoIouType.Bbox };
        if (dt.Annotations.All(a => a.Segmentation?.Mask is not null) && gt.Annotations.All(a => a.Segmentation is not null))
        {
            types.Add(CocoIouType.Segm);
        }

        if (dt.Annotations.All(a => a.Keypoints is not null) && gt.Annotations.Any(a => a.Keypoints is not null) && gt.Annotations.All(a => a.Keypoints is not null))
        {
            types.Add(CocoIouType.Keypoints);
        }

        return types;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "eval pass {Pass}/{Passes}: {Images} images of {Width}x{Height}")]
    private static partial void LogPass(ILogger logger, int pass, int passes, int images, int width, int height);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Written} detections written to {Path} ({Unknown} of classes the ground truth does not have were left out)")]
    private static partial void LogResults(ILogger logger, int written, string path, int unknown);
}
