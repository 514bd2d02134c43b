using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StreamSeg.Evaluation.Mot;
using StreamSeg.Evaluation.Panoptic;

namespace StreamSeg.Cli.Eval;

/// <summary>
/// The <c>streamseg eval --iou-type panoptic</c> and <c>streamseg eval --mot-gt … --mot-pred …</c> actions: evaluate,
/// print the table and the time taken to <c>output</c>, write the metrics as JSON when asked, return the exit code.
/// </summary>
/// <remarks>
/// Exit codes as README's table: 0 ok; 3 an input is missing or is not the expected format (the message names it and
/// what was expected); 5 the JSON cannot be written. Errors are one <c>streamseg: error:</c> line on <c>error</c>.
/// </remarks>
internal static class TrackingAndPanopticEval
{
    /// <summary>Panoptic Quality of COCO panoptic predictions (<paramref name="predJson"/> + PNGs in <paramref name="predDir"/>) against the ground truth.</summary>
    public static int RunPanoptic(string gtJson, string gtDir, string predJson, string predDir, string? jsonOut, TextWriter output, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        error ??= Console.Error;
        if (MissingInput(error, (gtJson, "panoptic ground-truth JSON"), (predJson, "panoptic prediction JSON")) ||
            MissingFolder(error, (gtDir, "folder of ground-truth PNGs"), (predDir, "folder of prediction PNGs")))
        {
            return ExitCodes.SourceError;
        }

        PanopticResult result;
        var watch = Stopwatch.StartNew();
        try
        {
            result = PanopticEvaluator.Evaluate(gtJson, gtDir, predJson, predDir);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FileNotFoundException)
        {
            return Fail(error, ExitCodes.SourceError, $"panoptic evaluation of '{predJson}' against '{gtJson}': {ex.Message} (expected COCO panoptic JSON with segments_info and RGB PNGs whose ids are R + 256·G + 65536·B)");
        }

        watch.Stop();
        result.WriteTable(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Panoptic Quality: {result.Images} images evaluated in {watch.Elapsed.TotalMilliseconds:0.0} ms"));
        return WriteJson(jsonOut, result.WriteJson, output, error);
    }

    /// <summary>CLEAR MOT, IDF1 and HOTA of a MOTChallenge tracker file <paramref name="predPath"/> against the ground truth <paramref name="gtPath"/>.</summary>
    public static int RunMot(string gtPath, string predPath, string? jsonOut, TextWriter output, TextWriter? error = null, MotEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        error ??= Console.Error;
        if (MissingInput(error, (gtPath, "MOTChallenge ground truth (gt.txt)"), (predPath, "MOTChallenge tracker output")))
        {
            return ExitCodes.SourceError;
        }

        MotEvaluationResult result;
        var watch = Stopwatch.StartNew();
        try
        {
            result = new MotEvaluator(options).Evaluate(gtPath, predPath);
        }
        catch (FormatException ex)
        {
            return Fail(error, ExitCodes.SourceError, $"MOT evaluation of '{predPath}' against '{gtPath}': {ex.Message} (expected MOTChallenge rows: frame, id, left, top, width, height, conf, …)");
        }

        watch.Stop();
        result.WriteTable(output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MOT metrics: {result.Data.NumTimesteps} frames evaluated in {watch.Elapsed.TotalMilliseconds:0.0} ms"));
        return WriteJson(jsonOut, result.WriteJson, output, error);
    }

    private static int WriteJson(string? jsonOut, Action<Stream> write, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrEmpty(jsonOut))
        {
            return ExitCodes.Ok;
        }

        try
        {
            using (FileStream stream = File.Create(jsonOut))
            {
                write(stream);
            }

            output.WriteLine($"metrics written to {jsonOut}");
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(error, ExitCodes.OutputError, $"cannot write '{jsonOut}': {ex.Message}");
        }
    }

    private static bool MissingInput(TextWriter error, params (string Path, string What)[] inputs)
    {
        foreach ((string path, string what) in inputs)
        {
            if (!File.Exists(path))
            {
                Fail(error, ExitCodes.SourceError, $"'{path}' not found: expected the {what}");
                return true;
            }
        }

        return false;
    }

    private static bool MissingFolder(TextWriter error, params (string Path, string What)[] folders)
    {
        foreach ((string path, string what) in folders)
        {
            if (!Directory.Exists(path))
            {
                Fail(error, ExitCodes.SourceError, $"'{path}' not found: expected the {what}");
                return true;
            }
        }

        return false;
    }

    private static int Fail(TextWriter error, int code, string message)
    {
        error.WriteLine("streamseg: error: " + message);
        return code;
    }
}
