using System.CommandLine;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Logging;
using StreamSeg.Cli.Run;
using StreamSeg.Configuration;
using StreamSeg.Evaluation.Coco;

namespace StreamSeg.Cli.Eval;

/// <summary><c>streamseg export coco|mot</c>: a run's NDJSON metadata (<c>--meta</c>) in the formats the field's evaluation tools read.</summary>
internal static partial class ExportCommand
{
    /// <summary>Creates the command and its two subcommands.</summary>
    public static Command Create(GlobalOptions global, HelpWithNotesAction help)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(help);
        var command = new Command("export", "turn a run's metadata (--meta run.ndjson) into a COCO results file or MOTChallenge tracks");
        command.Subcommands.Add(CreateCoco(global));
        command.Subcommands.Add(CreateMot(global));
        help.AddNotes(command, () => """
            Usage:
              streamseg export coco --meta run.ndjson -o results.json [--gt instances.json]
              streamseg export mot --meta run.ndjson -o tracks.txt [--source-index N] [--class person]
            """);
        command.SetAction(result => CliApp.ShowHelp(result, ExitCodes.Usage));
        return command;
    }

    private static Command CreateCoco(GlobalOptions global)
    {
        Option<string> meta = OptionParsers.Text("--meta", "run.ndjson", "the run's metadata (streamseg run … --meta run.ndjson)");
        Option<string> output = OptionParsers.Text("-o", "results.json", "the COCO results file written");
        Option<string> gt = OptionParsers.Text("--gt", "instances.json", "number categories and images as this ground truth does: frame i of the run is its i-th image by file_name (the order a folder source reads); default: COCO's category ids and image id = frame + 1");
        var command = new Command("coco", "COCO results: image_id, category_id, bbox, score, segmentation (RLE), keypoints") { meta, output, gt };
        command.SetAction(result =>
        {
            string metaPath = result.GetValue(meta) ?? throw new ConfigException("export coco needs --meta run.ndjson.");
            string outPath = result.GetValue(output) ?? throw new ConfigException("export coco needs -o results.json.");
            OutputPaths.CheckWritable(outPath, "-o");
            CocoResultsExporter exporter;
            Func<FrameRecord, long?> imageId;
            if (result.GetValue(gt) is { } gtPath)
            {
                CocoDataset dataset = CocoEvalRunner.LoadGroundTruth(gtPath);
                exporter = CocoResultsExporter.For(dataset);
                CocoImage[] byName = [.. dataset.Images.OrderBy(i => i.FileName, StringComparer.Ordinal)];
                imageId = f => f.Frame < byName.Length ? byName[f.Frame].Id : null;
            }
            else
            {
                exporter = new CocoResultsExporter(CocoResultsExporter.CocoCategoryIds);
                imageId = f => f.Frame + 1;
            }

            IEnumerable<FrameRecord> frames = FrameRecordReader.Read(metaPath);
            using ILoggerFactory loggers = CliLogging.CreateFactory(global.Read(result));
            (int written, int unknown) = WriteFile(outPath, stream => exporter.Write(frames, imageId, stream));
            ILogger logger = loggers.CreateLogger("streamseg");
            LogCoco(logger, written, outPath, unknown);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateMot(GlobalOptions global)
    {
        Option<string> meta = OptionParsers.Text("--meta", "run.ndjson", "the run's metadata (streamseg run … --meta run.ndjson)");
        Option<string> output = OptionParsers.Text("-o", "tracks.txt", "the MOTChallenge file written (frame,id,x,y,w,h,conf,-1,-1,-1)");
        Option<int> source = OptionParsers.Int("--source-index", "N", "the source to export when the run had several (default 0)");
        Option<string> className = OptionParsers.Text("--class", "name", "only this class (default: every tracked instance)");
        var command = new Command("mot", "MOTChallenge tracks of one source, frames numbered from 1") { meta, output, source, className };
        command.SetAction(result =>
        {
            string metaPath = result.GetValue(meta) ?? throw new ConfigException("export mot needs --meta run.ndjson.");
            string outPath = result.GetValue(output) ?? throw new ConfigException("export mot needs -o tracks.txt.");
            OutputPaths.CheckWritable(outPath, "-o");
            IEnumerable<FrameRecord> frames = FrameRecordReader.Read(metaPath);
            using ILoggerFactory loggers = CliLogging.CreateFactory(global.Read(result));
            (int written, int untracked) = WriteFile(outPath, stream =>
            {
                using var writer = new StreamWriter(stream);
                return MotExporter.Write(frames, writer, result.GetValue(source), result.GetValue(className));
            });
            ILogger logger = loggers.CreateLogger("streamseg");
            LogMot(logger, written, outPath, untracked);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes through a temporary file, so that a failed export leaves no half-written output.</summary>
    private static (int, int) WriteFile(string path, Func<Stream, (int, int)> write)
    {
        string partial = path + ".partial";
        (int, int) counts;
        using (FileStream stream = File.Create(partial))
        {
            counts = write(stream);
        }

        File.Move(partial, path, overwrite: true);
        return counts;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Written} detections written to {Path} ({Unknown} of classes without a category id were left out)")]
    private static partial void LogCoco(ILogger logger, int written, string path, int unknown);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Written} track boxes written to {Path} ({Untracked} untracked instances left out)")]
    private static partial void LogMot(ILogger logger, int written, string path, int untracked);
}
