using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamSeg.Configuration;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>Loads COCO ground truth and results (a bad file is a <see cref="ConfigException"/> naming it), evaluates each IoU type, prints and writes the figures, and logs the time it took.</summary>
internal sealed partial class CocoEvalRunner
{
    private readonly ILogger<CocoEvalRunner> _logger;

    /// <summary>Creates the runner.</summary>
    public CocoEvalRunner(ILogger<CocoEvalRunner> logger)
    {
        _logger = logger;
    }

    /// <summary>Reads a COCO ground-truth file.</summary>
    public static CocoDataset LoadGroundTruth(string path) => Load(path, "COCO ground-truth", () => CocoDataset.Load(path));

    /// <summary>Reads a COCO results file against <paramref name="groundTruth"/>.</summary>
    public static CocoDataset LoadResults(CocoDataset groundTruth, string path) => Load(path, "COCO results", () => groundTruth.LoadResults(path));

    /// <summary>Evaluates <paramref name="detections"/> for each of <paramref name="types"/>, prints the tables and writes <paramref name="jsonPath"/>.</summary>
    public IReadOnlyList<CocoEvalResult> Run(CocoDataset groundTruth, CocoDataset detections, IReadOnlyList<CocoIouType> types, TextWriter output, bool perCategory, string? jsonPath, TimeSpan loadTime)
    {
        ArgumentNullException.ThrowIfNull(types);
        var results = new List<CocoEvalResult>(types.Count);
        foreach (CocoIouType type in types)
        {
            CheckFits(groundTruth, detections, type);
            CocoEvalResult result = new CocoEvaluator(CocoEvalParameters.For(type)).Evaluate(groundTruth, detections);
            CocoEvalReport.Print(result, output, perCategory);
            string name = CocoEvalReport.Name(type);
            int images = groundTruth.Images.Count, gts = groundTruth.Annotations.Count, dts = detections.Annotations.Count;
            double seconds = result.Elapsed.TotalSeconds, loadSeconds = loadTime.TotalSeconds;
            LogTime(_logger, name, images, gts, dts, seconds, loadSeconds);
            results.Add(result);
        }

        if (jsonPath is not null)
        {
            CocoEvalReport.WriteJson(results, jsonPath, perCategory);
        }

        return results;
    }

    /// <summary>Loads both files and evaluates; the <c>--gt … --pred …</c> form of <c>streamseg eval</c>.</summary>
    public int Run(string groundTruthPath, string resultsPath, CocoIouType type, TextWriter output, bool perCategory, string? jsonPath)
    {
        long started = Stopwatch.GetTimestamp();
        CocoDataset gt = LoadGroundTruth(groundTruthPath);
        CocoDataset dt = LoadResults(gt, resultsPath);
        Run(gt, dt, [type], output, perCategory, jsonPath, Stopwatch.GetElapsedTime(started));
        return ExitCodes.Ok;
    }

    private static void CheckFits(CocoDataset groundTruth, CocoDataset detections, CocoIouType type)
    {
        foreach (CocoAnnotation d in detections.Annotations)
        {
            string? missing = type switch
            {
                CocoIouType.Segm when d.Segmentation is null => "segmentation",
                CocoIouType.Keypoints when d.Keypoints is null => "keypoints",
                _ => null,
            };
            if (missing is not null)
            {
                throw new ConfigException($"--iou-type {CocoEvalReport.Name(type)}: detection {d.Id} has no '{missing}'.");
            }
        }

        foreach (CocoAnnotation g in groundTruth.Annotations)
        {
            // Keypoint ground truth is checked where it is compared: a file may hold other categories without keypoints.
            if ((type == CocoIouType.Segm && g.Segmentation is null) || (type == CocoIouType.Bbox && g.Bbox is null))
            {
                throw new ConfigException($"--iou-type {CocoEvalReport.Name(type)}: ground-truth annotation {g.Id} has no {(type == CocoIouType.Bbox ? "bbox" : "segmentation")}.");
            }
        }
    }

    private static CocoDataset Load(string path, string what, Func<CocoDataset> load)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException($"{what} file '{path}' not found.");
        }

        try
        {
            return load();
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ConfigException($"'{path}' is not a {what} file: {ex.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "coco {IouType}: {Images} images, {GroundTruths} ground truths, {Detections} detections evaluated in {Seconds:0.000} s (files read in {LoadSeconds:0.000} s)")]
    private static partial void LogTime(ILogger logger, string iouType, int images, int groundTruths, int detections, double seconds, double loadSeconds);
}
