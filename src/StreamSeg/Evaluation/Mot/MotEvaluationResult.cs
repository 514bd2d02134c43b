using System.Globalization;
using System.Text.Json;

namespace StreamSeg.Evaluation.Mot;

/// <summary>The tracking metrics of one sequence: TrackEval's CLEAR, Identity and HOTA, and py-motmetrics' summary.</summary>
public sealed class MotEvaluationResult
{
    // TrackEval's metric-class name, which is also the JSON key.
    private const string IdentityKey = "Identity";

    /// <summary>Gets the settings used.</summary>
    public required MotEvaluatorOptions Options { get; init; }

    /// <summary>Gets the preprocessed sequence the metrics were computed on.</summary>
    public required MotSequenceData Data { get; init; }

    /// <summary>Gets CLEAR MOT (TrackEval).</summary>
    public required ClearResult Clear { get; init; }

    /// <summary>Gets the identity metrics (TrackEval).</summary>
    public required IdentityResult Identity { get; init; }

    /// <summary>Gets HOTA (TrackEval).</summary>
    public required HotaResult Hota { get; init; }

    /// <summary>Gets py-motmetrics' metrics on the same rows.</summary>
    public required MotMetricsSummary MotMetrics { get; init; }

    /// <summary>
    /// Writes every metric as JSON under the reference tools' names: <c>TrackEval.CLEAR</c>, <c>TrackEval.Identity</c>,
    /// <c>TrackEval.HOTA</c> (means over α, plus <c>per_alpha</c> arrays) and <c>py-motmetrics</c>. NaN is written as null.
    /// </summary>
    public void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("preprocessing", Options.Preprocessing.ToString().ToUpperInvariant());
        w.WriteNumber("threshold", Options.Threshold);
        w.WriteStartObject("sequence");
        w.WriteNumber("frames", Data.NumTimesteps);
        w.WriteNumber("gt_dets", Data.NumGtDets);
        w.WriteNumber("gt_ids", Data.NumGtIds);
        w.WriteNumber("tracker_dets", Data.NumTrackerDets);
        w.WriteNumber("tracker_ids", Data.NumTrackerIds);
        w.WriteEndObject();

        w.WriteStartObject("TrackEval");
        WriteClear(w, Clear);
        w.WriteStartObject(IdentityKey);
        Number(w, "IDF1", Identity.IDF1);
        Number(w, "IDR", Identity.IDR);
        Number(w, "IDP", Identity.IDP);
        w.WriteNumber("IDTP", Identity.IDTP);
        w.WriteNumber("IDFN", Identity.IDFN);
        w.WriteNumber("IDFP", Identity.IDFP);
        w.WriteEndObject();
        WriteHota(w, Hota);
        w.WriteEndObject();

        WriteMotMetrics(w, MotMetrics);
        w.WriteEndObject();
    }

    /// <summary>Writes the headline metrics as a text table (percentages, as TrackEval prints them).</summary>
    public void WriteTable(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MOT evaluation ({Options.Preprocessing.ToString().ToUpperInvariant()} rows, match IoU >= {Options.Threshold}): {Data.NumTimesteps} frames, {Data.NumGtDets} GT boxes ({Data.NumGtIds} ids), {Data.NumTrackerDets} tracker boxes ({Data.NumTrackerIds} ids)"));
        Row(writer, ["HOTA", "DetA", "AssA", "LocA", "DetRe", "DetPr", "AssRe", "AssPr"]);
        Row(writer, [Pct(HotaResult.Mean(Hota.Hota)), Pct(HotaResult.Mean(Hota.DetA)), Pct(HotaResult.Mean(Hota.AssA)), Pct(HotaResult.Mean(Hota.LocA)),
            Pct(HotaResult.Mean(Hota.DetRe)), Pct(HotaResult.Mean(Hota.DetPr)), Pct(HotaResult.Mean(Hota.AssRe)), Pct(HotaResult.Mean(Hota.AssPr))]);
        Row(writer, ["MOTA", "MOTP", "IDF1", "IDP", "IDR", "Recall", "Prec", "IDSW", "Frag", "MT", "PT", "ML", "FP", "FN"]);
        Row(writer, [Pct(Clear.MOTA), Pct(Clear.MOTP), Pct(Identity.IDF1), Pct(Identity.IDP), Pct(Identity.IDR), Pct(Clear.Recall), Pct(Clear.Precision),
            Int(Clear.IDSW), Int(Clear.Frag), Int(Clear.MT), Int(Clear.PT), Int(Clear.ML), Int(Clear.FP), Int(Clear.FN)]);
    }

    private static void WriteClear(Utf8JsonWriter w, ClearResult c)
    {
        w.WriteStartObject("CLEAR");
        Number(w, "MOTA", c.MOTA);
        Number(w, "MOTP", c.MOTP);
        Number(w, "MODA", c.MODA);
        Number(w, "MOTAL", c.MOTAL);
        Number(w, "sMOTA", c.SMOTA);
        Number(w, "CLR_Re", c.Recall);
        Number(w, "CLR_Pr", c.Precision);
        Number(w, "CLR_F1", c.F1);
        Number(w, "MTR", c.MostlyTrackedRatio);
        Number(w, "PTR", c.PartiallyTrackedRatio);
        Number(w, "MLR", c.MostlyLostRatio);
        Number(w, "FP_per_frame", c.FPPerFrame);
        Number(w, "MOTP_sum", c.MOTPSum);
        w.WriteNumber("CLR_TP", c.TP);
        w.WriteNumber("CLR_FN", c.FN);
        w.WriteNumber("CLR_FP", c.FP);
        w.WriteNumber("IDSW", c.IDSW);
        w.WriteNumber("MT", c.MT);
        w.WriteNumber("PT", c.PT);
        w.WriteNumber("ML", c.ML);
        w.WriteNumber("Frag", c.Frag);
        w.WriteNumber("CLR_Frames", c.Frames);
        w.WriteEndObject();
    }

    private static void WriteHota(Utf8JsonWriter w, HotaResult h)
    {
        w.WriteStartObject("HOTA");
        Number(w, "HOTA", HotaResult.Mean(h.Hota));
        Number(w, "DetA", HotaResult.Mean(h.DetA));
        Number(w, "AssA", HotaResult.Mean(h.AssA));
        Number(w, "DetRe", HotaResult.Mean(h.DetRe));
        Number(w, "DetPr", HotaResult.Mean(h.DetPr));
        Number(w, "AssRe", HotaResult.Mean(h.AssRe));
        Number(w, "AssPr", HotaResult.Mean(h.AssPr));
        Number(w, "LocA", HotaResult.Mean(h.LocA));
        Number(w, "OWTA", HotaResult.Mean(h.Owta));
        Number(w, "HOTA(0)", h.Hota0);
        Number(w, "LocA(0)", h.LocA0);
        Number(w, "HOTALocA(0)", h.HotaLocA0);
        w.WriteStartObject("per_alpha");
        Array(w, "alpha", [.. HotaResult.Alphas]);
        Array(w, "HOTA", h.Hota);
        Array(w, "DetA", h.DetA);
        Array(w, "AssA", h.AssA);
        Array(w, "DetRe", h.DetRe);
        Array(w, "DetPr", h.DetPr);
        Array(w, "AssRe", h.AssRe);
        Array(w, "AssPr", h.AssPr);
        Array(w, "LocA", h.LocA);
        Array(w, "OWTA", h.Owta);
        IntArray(w, "HOTA_TP", h.TP);
        IntArray(w, "HOTA_FN", h.FN);
        IntArray(w, "HOTA_FP", h.FP);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteMotMetrics(Utf8JsonWriter w, MotMetricsSummary m)
    {
        w.WriteStartObject("py-motmetrics");
        Number(w, "idf1", m.Idf1);
        Number(w, "idp", m.Idp);
        Number(w, "idr", m.Idr);
        Number(w, "recall", m.Recall);
        Number(w, "precision", m.Precision);
        w.WriteNumber("num_unique_objects", m.NumUniqueObjects);
        w.WriteNumber("mostly_tracked", m.MostlyTracked);
        w.WriteNumber("partially_tracked", m.PartiallyTracked);
        w.WriteNumber("mostly_lost", m.MostlyLost);
        w.WriteNumber("num_false_positives", m.NumFalsePositives);
        w.WriteNumber("num_misses", m.NumMisses);
        w.WriteNumber("num_switches", m.NumSwitches);
        w.WriteNumber("num_fragmentations", m.NumFragmentations);
        Number(w, "mota", m.Mota);
        Number(w, "motp", m.Motp);
        w.WriteNumber("num_transfer", m.NumTransfer);
        w.WriteNumber("num_ascend", m.NumAscend);
        w.WriteNumber("num_migrate", m.NumMigrate);
        w.WriteNumber("num_frames", m.NumFrames);
        w.WriteNumber("num_matches", m.NumMatches);
        w.WriteNumber("num_detections", m.NumDetections);
        w.WriteNumber("num_objects", m.NumObjects);
        w.WriteNumber("num_predictions", m.NumPredictions);
        w.WriteNumber("idtp", m.Idtp);
        w.WriteNumber("idfp", m.Idfp);
        w.WriteNumber("idfn", m.Idfn);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Array(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void IntArray(Utf8JsonWriter w, string name, int[] values)
    {
        w.WriteStartArray(name);
        foreach (int v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static string Pct(double v) => (100 * v).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static void Row(TextWriter writer, string[] cells)
    {
        foreach (string cell in cells)
        {
            writer.Write(cell.PadLeft(8));
        }

        writer.WriteLine();
    }
}
