using System.Text.Json;
using StreamSeg.Evaluation.Mot;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Evaluation;

/// <summary>
/// The tracking metrics against the reference tools' numbers in ../shared/eval/mot: TrackEval's CLEAR, Identity and HOTA
/// (full precision, compared to 1e-12) and py-motmetrics' test values (to its own 1e-3) on TUD-Campus, TrackEval's toy
/// cases and py-motmetrics' accumulator cases.
/// </summary>
public sealed class MotReferenceTests
{
    private const double Tight = 1e-12;

    private static JsonElement Expected => LoadJson("mot/expected.json").GetProperty("sequences").GetProperty("TUD-Campus");

    [ReferenceEvalDataFact("mot/expected.json")]
    public void TudCampus_TrackEvalClear_MatchesEveryField()
    {
        MotEvaluationResult result = EvaluateTud();
        JsonElement e = Expected.GetProperty("trackeval").GetProperty("CLEAR");
        ClearResult c = result.Clear;
        Assert.Equal(e.GetProperty("CLR_TP").GetInt32(), c.TP);
        Assert.Equal(e.GetProperty("CLR_FN").GetInt32(), c.FN);
        Assert.Equal(e.GetProperty("CLR_FP").GetInt32(), c.FP);
        Assert.Equal(e.GetProperty("IDSW").GetInt32(), c.IDSW);
        Assert.Equal(e.GetProperty("MT").GetInt32(), c.MT);
        Assert.Equal(e.GetProperty("PT").GetInt32(), c.PT);
        Assert.Equal(e.GetProperty("ML").GetInt32(), c.ML);
        Assert.Equal(e.GetProperty("Frag").GetInt32(), c.Frag);
        Assert.Equal(e.GetProperty("CLR_Frames").GetInt32(), c.Frames);
        Near(e, "MOTA", c.MOTA);
        Near(e, "MOTP", c.MOTP);
        Near(e, "MODA", c.MODA);
        Near(e, "MOTAL", c.MOTAL);
        Near(e, "sMOTA", c.SMOTA);
        Near(e, "CLR_Re", c.Recall);
        Near(e, "CLR_Pr", c.Precision);
        Near(e, "CLR_F1", c.F1);
        Near(e, "MTR", c.MostlyTrackedRatio);
        Near(e, "PTR", c.PartiallyTrackedRatio);
        Near(e, "MLR", c.MostlyLostRatio);
        Near(e, "FP_per_frame", c.FPPerFrame);
        Assert.Equal(e.GetProperty("MOTP_sum").GetDouble(), c.MOTPSum, 1e-9);
    }

    [ReferenceEvalDataFact("mot/expected.json")]
    public void TudCampus_TrackEvalIdentity_MatchesEveryField()
    {
        IdentityResult id = EvaluateTud().Identity;
        JsonElement e = Expected.GetProperty("trackeval").GetProperty("Identity");
        Assert.Equal(e.GetProperty("IDTP").GetInt32(), id.IDTP);
        Assert.Equal(e.GetProperty("IDFN").GetInt32(), id.IDFN);
        Assert.Equal(e.GetProperty("IDFP").GetInt32(), id.IDFP);
        Near(e, "IDF1", id.IDF1);
        Near(e, "IDR", id.IDR);
        Near(e, "IDP", id.IDP);
    }

    [ReferenceEvalDataFact("mot/expected.json")]
    public void TudCampus_Hota_MatchesPerAlphaArraysAndMeans()
    {
        HotaResult h = EvaluateTud().Hota;
        JsonElement root = LoadJson("mot/expected.json");
        double[] alphas = Doubles(root.GetProperty("protocol").GetProperty("hota_alphas"));
        Assert.Equal(alphas, HotaResult.Alphas); // bit for bit: numpy.arange(0.05, 0.99, 0.05)

        JsonElement e = Expected.GetProperty("trackeval").GetProperty("HOTA");
        JsonElement per = e.GetProperty("per_alpha");
        Assert.Equal(Ints(per.GetProperty("HOTA_TP")), h.TP);
        Assert.Equal(Ints(per.GetProperty("HOTA_FN")), h.FN);
        Assert.Equal(Ints(per.GetProperty("HOTA_FP")), h.FP);
        var arrays = new (string Name, double[] Actual)[]
        {
            ("HOTA", h.Hota), ("DetA", h.DetA), ("AssA", h.AssA), ("DetRe", h.DetRe), ("DetPr", h.DetPr),
            ("AssRe", h.AssRe), ("AssPr", h.AssPr), ("LocA", h.LocA), ("OWTA", h.Owta),
        };
        JsonElement summary = e.GetProperty("summary_mean_over_alphas");
        foreach ((string name, double[] actual) in arrays)
        {
            double[] expected = Doubles(per.GetProperty(name));
            Assert.Equal(expected.Length, actual.Length);
            for (int a = 0; a < expected.Length; a++)
            {
                Assert.True(Math.Abs(expected[a] - actual[a]) <= Tight, $"{name}[{a}] (alpha {alphas[a]}): expected {expected[a]:R}, got {actual[a]:R}");
            }

            Near(summary, name, HotaResult.Mean(actual));
        }

        Near(e, "HOTA(0)", h.Hota0);
        Near(e, "LocA(0)", h.LocA0);
        Near(e, "HOTALocA(0)", h.HotaLocA0);
    }

    [ReferenceEvalDataFact("mot/expected.json")]
    public void TudCampus_PyMotmetrics_MatchesItsTestValues()
    {
        MotMetricsSummary m = EvaluateTud().MotMetrics;
        JsonElement e = Expected.GetProperty("py_motmetrics").GetProperty("values");

        // The reference test compares with atol 1e-3; the counts are exact.
        Assert.Equal(e.GetProperty("idf1").GetDouble(), m.Idf1, 1e-3);
        Assert.Equal(e.GetProperty("idp").GetDouble(), m.Idp, 1e-3);
        Assert.Equal(e.GetProperty("idr").GetDouble(), m.Idr, 1e-3);
        Assert.Equal(e.GetProperty("recall").GetDouble(), m.Recall, 1e-3);
        Assert.Equal(e.GetProperty("precision").GetDouble(), m.Precision, 1e-3);
        Assert.Equal(e.GetProperty("mota").GetDouble(), m.Mota, 1e-3);
        Assert.Equal(e.GetProperty("motp").GetDouble(), m.Motp, 1e-3);
        Assert.Equal((int)e.GetProperty("num_unique_objects").GetDouble(), m.NumUniqueObjects);
        Assert.Equal(e.GetProperty("mostly_tracked").GetInt32(), m.MostlyTracked);
        Assert.Equal(e.GetProperty("partially_tracked").GetInt32(), m.PartiallyTracked);
        Assert.Equal(e.GetProperty("mostly_lost").GetInt32(), m.MostlyLost);
        Assert.Equal(e.GetProperty("num_false_positives").GetInt32(), m.NumFalsePositives);
        Assert.Equal(e.GetProperty("num_misses").GetInt32(), m.NumMisses);
        Assert.Equal(e.GetProperty("num_switches").GetInt32(), m.NumSwitches);
        Assert.Equal(e.GetProperty("num_fragmentations").GetInt32(), m.NumFragmentations);

        // And the two tools agree where their definitions coincide (the README's cross-check), here to 1e-12.
        MotEvaluationResult r = EvaluateTud();
        Assert.Equal(r.Identity.IDTP, m.Idtp);
        Assert.Equal(r.Clear.MOTA, m.Mota, Tight);
        Assert.Equal(1 - r.Clear.MOTP, m.Motp, 1e-12);
    }

    [ReferenceEvalDataFact("mot/expected.json")]
    public void TudCampus_Json_WritesTheReferenceNames()
    {
        MotEvaluationResult result = EvaluateTud();
        using var stream = new MemoryStream();
        result.WriteJson(stream);
        using JsonDocument doc = JsonDocument.Parse(stream.ToArray());
        JsonElement te = doc.RootElement.GetProperty("TrackEval");
        JsonElement e = Expected.GetProperty("trackeval");
        foreach (string name in new[] { "MOTA", "MOTP", "MODA", "MOTAL", "sMOTA", "CLR_Re", "CLR_Pr", "CLR_F1", "MTR", "PTR", "MLR", "FP_per_frame" })
        {
            Near(e.GetProperty("CLEAR"), name, te.GetProperty("CLEAR").GetProperty(name).GetDouble());
        }

        foreach (string name in new[] { "CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "MT", "PT", "ML", "Frag", "CLR_Frames" })
        {
            Assert.Equal(e.GetProperty("CLEAR").GetProperty(name).GetInt32(), te.GetProperty("CLEAR").GetProperty(name).GetInt32());
        }

        foreach (string name in new[] { "IDF1", "IDR", "IDP" })
        {
            Near(e.GetProperty("Identity"), name, te.GetProperty("Identity").GetProperty(name).GetDouble());
        }

        foreach (string name in new[] { "HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "OWTA" })
        {
            Near(e.GetProperty("HOTA").GetProperty("summary_mean_over_alphas"), name, te.GetProperty("HOTA").GetProperty(name).GetDouble());
        }

        JsonElement mm = doc.RootElement.GetProperty("py-motmetrics");
        Assert.Equal(7, mm.GetProperty("num_switches").GetInt32());
        Assert.Equal(0.277201, mm.GetProperty("motp").GetDouble(), 1e-3);

        var table = new StringWriter();
        result.WriteTable(table);
        Assert.Contains("39.140", table.ToString(), StringComparison.Ordinal); // HOTA 0.3913974…
        Assert.Contains("52.646", table.ToString(), StringComparison.Ordinal); // MOTA 0.5264623…
    }

    [ReferenceEvalDataFact("mot/trackeval_toy_cases.json")]
    public void TrackEvalToyCases_ClearAndIdentity()
    {
        foreach (JsonElement c in LoadJson("mot/trackeval_toy_cases.json").GetProperty("cases").EnumerateArray())
        {
            MotSequenceData data = Dense(c);
            ClearResult clear = ClearMetrics.Evaluate(data);
            IdentityResult id = IdentityMetrics.Evaluate(data);
            JsonElement ec = c.GetProperty("expected").GetProperty("clear");
            JsonElement ei = c.GetProperty("expected").GetProperty("identity");
            string name = c.GetProperty("name").GetString()!;
            Assert.True(Value(ec, "CLR_TP") == clear.TP, name);
            Assert.True(Value(ec, "CLR_FN") == clear.FN, name);
            Assert.True(Value(ec, "CLR_FP") == clear.FP, name);
            Assert.True(Value(ec, "IDSW") == clear.IDSW, name);
            Assert.Equal(Value(ec, "MOTA"), clear.MOTA, Tight);
            Assert.True(Value(ei, "IDTP") == id.IDTP, name);
            Assert.True(Value(ei, "IDFN") == id.IDFN, name);
            Assert.True(Value(ei, "IDFP") == id.IDFP, name);
            Assert.Equal(Value(ei, "IDR"), id.IDR, Tight);
            Assert.Equal(Value(ei, "IDP"), id.IDP, Tight);
            Assert.Equal(Value(ei, "IDF1"), id.IDF1, Tight);
        }
    }

    [ReferenceEvalDataFact("mot/motmetrics_accumulator_cases.json")]
    public void MotmetricsAccumulatorCases_MatchEveryExpectedCount()
    {
        foreach (JsonElement c in LoadJson("mot/motmetrics_accumulator_cases.json").GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            var acc = new MotAccumulator();
            foreach (JsonElement f in c.GetProperty("frames").EnumerateArray())
            {
                int[] oids = Ints(f.GetProperty("gt_ids"));
                int[] hids = Ints(f.GetProperty("hyp_ids"));
                var dist = new List<double>();
                foreach (JsonElement row in f.GetProperty("dist").EnumerateArray())
                {
                    foreach (JsonElement v in row.EnumerateArray())
                    {
                        dist.Add(v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble());
                    }
                }

                acc.Update(oids, hids, dist.ToArray(), f.GetProperty("frame").GetInt64());
            }

            MotMetricsSummary m = acc.Summarize();
            var actual = new Dictionary<string, double>
            {
                ["num_matches"] = m.NumMatches, ["num_false_positives"] = m.NumFalsePositives, ["num_misses"] = m.NumMisses,
                ["num_switches"] = m.NumSwitches, ["num_detections"] = m.NumDetections, ["num_objects"] = m.NumObjects,
                ["num_predictions"] = m.NumPredictions, ["num_transfer"] = m.NumTransfer, ["num_ascend"] = m.NumAscend,
                ["num_migrate"] = m.NumMigrate, ["num_frames"] = m.NumFrames, ["idtp"] = m.Idtp, ["idfp"] = m.Idfp,
                ["idfn"] = m.Idfn, ["mota"] = m.Mota, ["motp"] = m.Motp,
            };
            int checkedCount = 0;
            foreach (JsonProperty p in c.GetProperty("expected").EnumerateObject())
            {
                double expected = p.Value.ValueKind switch
                {
                    JsonValueKind.Object => p.Value.GetProperty("value").GetDouble(),
                    JsonValueKind.String when p.Value.GetString() == "NaN" => double.NaN,
                    _ => p.Value.GetDouble(),
                };
                Assert.True(actual.ContainsKey(p.Name), $"{name}: no value for {p.Name}");
                double got = actual[p.Name];
                Assert.True(double.IsNaN(expected) ? double.IsNaN(got) : Math.Abs(expected - got) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"{name}.{p.Name}: expected {expected}, got {got}");
                checkedCount++;
            }

            Assert.True(checkedCount > 0, name);
        }
    }

    private static MotEvaluationResult EvaluateTud()
        => new MotEvaluator().Evaluate(ReferenceEvalDataFactAttribute.PathOf("mot/TUD-Campus/gt.txt"), ReferenceEvalDataFactAttribute.PathOf("mot/TUD-Campus/test.txt"));

    private static MotSequenceData Dense(JsonElement c)
    {
        int steps = c.GetProperty("num_timesteps").GetInt32();
        JsonElement gp = c.GetProperty("gt_present"), tp = c.GetProperty("tracker_present"), sim = c.GetProperty("similarity");
        var gtIds = new int[steps][];
        var trIds = new int[steps][];
        var sims = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            int[] g = Present(gp[t]);
            int[] k = Present(tp[t]);
            gtIds[t] = g;
            trIds[t] = k;
            sims[t] = new double[g.Length * k.Length];
            for (int i = 0; i < g.Length; i++)
            {
                for (int j = 0; j < k.Length; j++)
                {
                    sims[t][(i * k.Length) + j] = sim[t][g[i]][k[j]].GetDouble();
                }
            }
        }

        return new MotSequenceData(c.GetProperty("num_gt_ids").GetInt32(), c.GetProperty("num_tracker_ids").GetInt32(), gtIds, trIds, sims);
    }

    private static int[] Present(JsonElement flags)
    {
        var ids = new List<int>();
        int i = 0;
        foreach (JsonElement f in flags.EnumerateArray())
        {
            if (f.GetInt32() != 0)
            {
                ids.Add(i);
            }

            i++;
        }

        return [.. ids];
    }

    private static double Value(JsonElement e, string name) => e.GetProperty(name).GetProperty("value").GetDouble();

    private static void Near(JsonElement expected, string name, double actual)
    {
        double e = expected.GetProperty(name).GetDouble();
        Assert.True(Math.Abs(e - actual) <= Tight, $"{name}: expected {e:R}, got {actual:R} (diff {e - actual:E2})");
    }

    private static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetDouble())];

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt32())];

    internal static JsonElement LoadJson(string relativePath)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(ReferenceEvalDataFactAttribute.PathOf(relativePath)));
        return doc.RootElement.Clone();
    }
}
