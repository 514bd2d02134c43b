using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Hosting;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary>
/// <c>streamseg eval</c>: COCO box, mask and keypoint AP/AR exactly as pycocotools (<c>--gt … --pred …</c>), the
/// same through StreamSeg's own runtime (<c>--gt … --images DIR</c>), and the seams for Panoptic Quality
/// (<c>--iou-type panoptic</c>) and tracking metrics (<c>--mot-gt … --mot-pred …</c>).
/// </summary>
internal static class EvalCommand
{
    private const string Description = "COCO box/mask/keypoint AP and AR as pycocotools computes them, on a results file or through StreamSeg itself";

    private const string Notes = """
        Usage:
          streamseg eval --gt instances.json --pred results.json [--iou-type bbox|segm|keypoints] [--per-category] [--json out.json]
          streamseg eval --gt instances.json --images DIR [--model m.onnx | people preset] [--device …] [--results results.json] [--json out.json]
          streamseg eval --iou-type panoptic --gt panoptic.json --pred pred.json [--gt-folder DIR] [--pred-folder DIR] [--json out.json]
          streamseg eval --mot-gt gt.txt --mot-pred tracks.txt [--json out.json]

        --images runs StreamSeg on the images the ground truth lists (by file_name), tracking off, writes the COCO
        results file, and evaluates every IoU type the results support (or the one --iou-type names).
        """;

    /// <summary>Creates the command.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(help);
        Option<string> gt = OptionParsers.Text("--gt", "instances.json", "COCO ground truth (instances, person keypoints, or panoptic JSON)");
        Option<string> pred = OptionParsers.Text("--pred", "results.json", "COCO results file (a JSON array of detections), or panoptic predictions JSON");
        Option<string> iouType = OptionParsers.Text("--iou-type", "bbox|segm|keypoints|panoptic", "what to compare (default bbox; with --images every type the results support)");
        Option<string> json = OptionParsers.Text("--json", "out.json", "also write the figures as JSON: each stat by name and pycocotools' 'stats' array");
        var perCategory = new Option<bool>("--per-category") { Description = "also print (and write) the AP of each category" };
        Option<string> images = OptionParsers.Text("--images", "DIR", "run StreamSeg on the ground truth's images in DIR and evaluate its output");
        Option<string> results = OptionParsers.Text("--results", "results.json", "with --images: where the COCO results file goes (default streamseg-results.json)");
        Option<string> gtFolder = OptionParsers.Text("--gt-folder", "DIR", "panoptic: the ground truth's PNG folder (default: --gt without .json)");
        Option<string> predFolder = OptionParsers.Text("--pred-folder", "DIR", "panoptic: the predictions' PNG folder (default: --pred without .json)");
        Option<string> motGt = OptionParsers.Text("--mot-gt", "gt.txt", "MOTChallenge ground truth (frame,id,x,y,w,h,…)");
        Option<string> motPred = OptionParsers.Text("--mot-pred", "tracks.txt", "MOTChallenge tracker output ('streamseg export mot' writes one)");
        var command = new Command("eval", Description) { gt, pred, iouType, perCategory, json, images, results, gtFolder, predFolder, motGt, motPred };
        var runOptions = new RunOptionBinder(global);
        runOptions.AddTo(command, "--config", "--model", "--pose-model", "--adapter", "--detector", "--pose-size", "--models-dir", "--device", "--threads", "--upload", "--engine-cache", "--conf", "--iou");
        help.AddNotes(command, () => Notes);
        command.SetAction((result, _) =>
        {
            string? type = result.GetValue(iouType);
            if (type is not (null or "bbox" or "segm" or "keypoints" or "panoptic"))
            {
                throw new ConfigException($"--iou-type '{type}' is not bbox, segm, keypoints or panoptic.");
            }

            if (result.GetValue(motGt) is not null || result.GetValue(motPred) is not null)
            {
                string motGtPath = result.GetValue(motGt) ?? throw new ConfigException("--mot-pred needs --mot-gt.");
                string motPredPath = result.GetValue(motPred) ?? throw new ConfigException("--mot-gt needs --mot-pred.");
                return Task.FromResult(EvalDispatch.RunMot(new MotEvalRequest(motGtPath, motPredPath, result.GetValue(json)), Console.Out));
            }

            string gtPath = result.GetValue(gt) ?? throw new ConfigException("No ground truth given: pass --gt instances.json (or --mot-gt for tracking; see 'streamseg eval --help').");
            if (type == "panoptic")
            {
                string predPath = result.GetValue(pred) ?? throw new ConfigException("--iou-type panoptic needs --pred predictions.json.");
                return Task.FromResult(EvalDispatch.RunPanoptic(
                    new PanopticEvalRequest(gtPath, predPath, result.GetValue(gtFolder) ?? WithoutJson(gtPath), result.GetValue(predFolder) ?? WithoutJson(predPath), result.GetValue(json)),
                    Console.Out));
            }

            IReadOnlyList<CocoIouType> types = type switch
            {
                "bbox" => [CocoIouType.Bbox],
                "segm" => [CocoIouType.Segm],
                "keypoints" => [CocoIouType.Keypoints],
                _ => [],
            };
            if (result.GetValue(images) is { } imagesDir)
            {
                if (result.GetValue(pred) is not null)
                {
                    throw new ConfigException("--images runs StreamSeg and writes its own results: it cannot be combined with --pred (use --results to name the file).");
                }

                RunConfig config = runOptions.Bind(result);
                config.Track = false;
                config.Sources = [new SourceConfig { Uri = imagesDir }];
                RunOptionBinder.CheckRunnable(config);
                HostApplicationBuilder builder = CliHost.CreateBuilder(global.Read(result, config));
                builder.Services.AddSingleton(config);
                builder.Services.AddSingleton(new EvalSettings(gtPath, imagesDir, result.GetValue(results) ?? "streamseg-results.json", types, result.GetValue(perCategory), result.GetValue(json)));
                builder.AddJob<EvalJob>();
                return CliHost.RunJobAsync(builder);
            }

            string resultsPath = result.GetValue(pred) ?? throw new ConfigException("No results given: pass --pred results.json, or --images DIR to run StreamSeg on the ground truth's images.");
            using ILoggerFactory loggers = CliLogging.CreateFactory(global.Read(result));
            var runner = new CocoEvalRunner(loggers.CreateLogger<CocoEvalRunner>());
            return Task.FromResult(runner.Run(gtPath, resultsPath, types.Count > 0 ? types[0] : CocoIouType.Bbox, Console.Out, result.GetValue(perCategory), result.GetValue(json)));
        });
        return command;
    }

    private static string WithoutJson(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path[..^5] : path;
}
