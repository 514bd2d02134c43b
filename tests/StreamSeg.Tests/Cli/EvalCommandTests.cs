using System.Globalization;
using System.Text.Json;
using OpenCvSharp;
using StreamSeg.Evaluation.Coco;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary><c>streamseg eval</c> and <c>streamseg export coco|mot</c> as a user runs them (the real command, in a child process).</summary>
public sealed class EvalCommandTests
{
    [SharedEvalDataFact]
    public void Eval_Bbox_PrintsPycocotoolsTable_WritesJson_AndTheTime()
    {
        using var dir = new TempDirectory();
        string json = dir.File("out.json");
        CliRunner.Result r = CliRunner.Run(
            "eval", "--gt", SharedEvalDataFactAttribute.Coco("instances_val2014_100.json"),
            "--pred", SharedEvalDataFactAttribute.Coco("instances_val2014_fakebbox100_results.json"), "--json", json, "--per-category");
        Assert.True(r.ExitCode == 0, r.StdErr);

        // pycocotools' summarize() lines, as its demo prints them for these files.
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505\n", r.StdOut, StringComparison.Ordinal);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.697\n", r.StdOut, StringComparison.Ordinal);
        Assert.Contains(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.387\n", r.StdOut, StringComparison.Ordinal);
        Assert.Contains(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.564\n", r.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"coco bbox: 100 images, 839 ground truths, 734 detections evaluated in \d+\.\d{3} s", r.StdErr);

        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(SharedEvalDataFactAttribute.Coco("expected.json")));
        JsonElement want = expected.RootElement.GetProperty("cases").GetProperty("bbox");
        using JsonDocument got = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("bbox", got.RootElement.GetProperty("iou_type").GetString());
        double[] stats = got.RootElement.GetProperty("stats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] wanted = want.GetProperty("stats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(wanted.Length, stats.Length);
        for (int i = 0; i < wanted.Length; i++)
        {
            Assert.Equal(wanted[i], stats[i], 1e-9);
        }

        foreach (JsonProperty stat in want.GetProperty("named").EnumerateObject())
        {
            Assert.Equal(stat.Value.GetDouble(), got.RootElement.GetProperty(stat.Name).GetDouble(), 1e-9);
        }

        Assert.Equal(80, got.RootElement.GetProperty("per_category").GetArrayLength());
    }

    [Fact]
    public async Task EvalAndExportHelp_ListTheirOptions()
    {
        foreach ((string[] args, string[] names) in new[]
        {
            (new[] { "eval", "--help" }, new[] { "--gt", "--pred", "--iou-type", "--json", "--per-category", "--images", "--results", "--model", "--device", "--mot-gt", "--mot-pred", "--gt-folder", "--pred-folder" }),
            (new[] { "export", "coco", "--help" }, new[] { "--meta", "-o", "--gt" }),
            (new[] { "export", "mot", "--help" }, new[] { "--meta", "-o", "--source-index", "--class" }),
        })
        {
            using var output = new StringWriter();
            int code = await StreamSeg.Cli.CommandLine.CliApp.InvokeAsync(args, new System.CommandLine.InvocationConfiguration { Output = output });
            Assert.Equal(0, code);
            foreach (string name in names)
            {
                Assert.Contains(name + " ", output.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Eval_PanopticAndMot_AreRoutedToTheirEvaluators()
    {
        // Missing inputs reach the panoptic and MOT evaluators, which name the file and what they expected (exit 3).
        using var dir = new TempDirectory();
        CliRunner.Result panoptic = CliRunner.Run("eval", "--iou-type", "panoptic", "--gt", dir.File("gt.json"), "--pred", dir.File("pred.json"));
        Assert.Equal(3, panoptic.ExitCode);
        Assert.Contains("panoptic ground-truth JSON", panoptic.StdErr, StringComparison.Ordinal);
        Assert.Contains(dir.File("gt.json"), panoptic.StdErr, StringComparison.Ordinal);

        CliRunner.Result mot = CliRunner.Run("eval", "--mot-gt", dir.File("gt.txt"), "--mot-pred", dir.File("tracks.txt"));
        Assert.Equal(3, mot.ExitCode);
        Assert.Contains("MOTChallenge ground truth", mot.StdErr, StringComparison.Ordinal);

        // And a real pair: a tracker output identical to its ground truth scores MOTA 1 and HOTA 1.
        const string Lines = "1,1,10,10,20,40,1,1,1\n2,1,12,10,20,40,1,1,1\n2,2,50,50,20,40,1,1,1\n";
        File.WriteAllText(dir.File("gt.txt"), Lines);
        File.WriteAllText(dir.File("tracks.txt"), Lines.Replace(",1,1,1\n", ",1,-1,-1\n", StringComparison.Ordinal));
        CliRunner.Result same = CliRunner.Run("eval", "--mot-gt", dir.File("gt.txt"), "--mot-pred", dir.File("tracks.txt"), "--json", dir.File("mot.json"));
        Assert.Equal(0, same.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(dir.File("mot.json")));
        JsonElement trackEval = doc.RootElement.GetProperty("TrackEval");
        Assert.Equal(1.0, trackEval.GetProperty("CLEAR").GetProperty("MOTA").GetDouble(), 12);
        Assert.Equal(3, trackEval.GetProperty("CLEAR").GetProperty("CLR_TP").GetInt32());
        Assert.Equal(0, trackEval.GetProperty("CLEAR").GetProperty("IDSW").GetInt32());
        Assert.Equal(1.0, trackEval.GetProperty("HOTA").GetProperty("HOTA").GetDouble(), 12);
    }

    [Fact]
    public void Eval_BadArguments_Exit2_WithOneLine()
    {
        using var dir = new TempDirectory();
        CliRunner.Result noGt = CliRunner.Run("eval", "--pred", "results.json");
        Assert.Equal(2, noGt.ExitCode);
        Assert.Contains("No ground truth given", noGt.StdErr, StringComparison.Ordinal);

        CliRunner.Result missing = CliRunner.Run("eval", "--gt", dir.File("absent.json"), "--pred", dir.File("results.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("not found", missing.StdErr, StringComparison.Ordinal);

        File.WriteAllText(dir.File("gt.json"), "{\"images\":[{\"id\":1,\"width\":10,\"height\":10}],\"categories\":[{\"id\":1,\"name\":\"a\"}],\"annotations\":[]}");
        File.WriteAllText(dir.File("results.json"), "[{\"image_id\":7,\"category_id\":1,\"bbox\":[0,0,1,1],\"score\":1}]");
        CliRunner.Result foreign = CliRunner.Run("eval", "--gt", dir.File("gt.json"), "--pred", dir.File("results.json"));
        Assert.Equal(2, foreign.ExitCode);
        Assert.Contains("image 7 is not in it", foreign.StdErr, StringComparison.Ordinal);

        CliRunner.Result type = CliRunner.Run("eval", "--gt", dir.File("gt.json"), "--pred", dir.File("results.json"), "--iou-type", "mask");
        Assert.Equal(2, type.ExitCode);
    }

    [Fact]
    public void ExportCocoAndMot_FromRunMetadata()
    {
        using var dir = new TempDirectory();
        string meta = dir.File("run.ndjson");
        string keypoints = "[" + string.Join(',', Enumerable.Range(0, 17).Select(k => $"[{k},{k + 100},0.5]")) + "]";
        File.WriteAllLines(meta,
        [
            "{\"schema\":\"streamseg.frame/1\",\"source\":\"a\",\"source_index\":0,\"frame\":0,\"pts_ms\":0,\"capture_time\":null,\"discontinuity\":false,\"width\":4,\"height\":3,\"timings_ms\":{},\"instances\":[" +
                "{\"track_id\":7,\"class_id\":0,\"class\":\"person\",\"score\":0.9,\"box\":[1,0,3,2],\"mask\":{\"size\":[3,4],\"counts\":[3,2,1,2,4]},\"keypoints\":" + keypoints + "}," +
                "{\"track_id\":8,\"class_id\":2,\"class\":\"dog\",\"score\":0.5,\"box\":[0,0,1,1],\"mask\":null,\"keypoints\":null}]}",
            "{\"schema\":\"streamseg.frame/1\",\"source\":\"a\",\"source_index\":0,\"frame\":1,\"pts_ms\":40,\"capture_time\":null,\"discontinuity\":false,\"width\":4,\"height\":3,\"timings_ms\":{},\"instances\":[" +
                "{\"track_id\":7,\"class_id\":0,\"class\":\"person\",\"score\":0.8,\"box\":[1.5,0.25,3.5,2.25],\"mask\":null,\"keypoints\":null}," +
                "{\"track_id\":null,\"class_id\":0,\"class\":\"person\",\"score\":0.3,\"box\":[0,0,1,1],\"mask\":null,\"keypoints\":null}]}",
        ]);

        CliRunner.Result coco = CliRunner.Run("export", "coco", "--meta", meta, "-o", dir.File("results.json"));
        Assert.True(coco.ExitCode == 0, coco.StdErr);
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(dir.File("results.json")));
        JsonElement[] rows = [.. results.RootElement.EnumerateArray()];
        Assert.Equal(4, rows.Length);
        Assert.Equal(1, rows[0].GetProperty("image_id").GetInt64());
        Assert.Equal(1, rows[0].GetProperty("category_id").GetInt32());
        Assert.Equal([1.0, 0, 2, 2], rows[0].GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(RleString.Encode(new Rle(3, 4, [3, 2, 1, 2, 4])), rows[0].GetProperty("segmentation").GetProperty("counts").GetString());
        Assert.Equal(51, rows[0].GetProperty("keypoints").GetArrayLength());
        Assert.Equal(18, rows[1].GetProperty("category_id").GetInt32());
        Assert.Equal(2, rows[2].GetProperty("image_id").GetInt64());

        // The file evaluates as a results file: its masks decode on the ground truth's canvas.
        File.WriteAllText(dir.File("gt.json"), "{\"images\":[{\"id\":1,\"width\":4,\"height\":3},{\"id\":2,\"width\":4,\"height\":3}],\"categories\":[{\"id\":1,\"name\":\"person\"}],\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,0,2,2],\"area\":4,\"iscrowd\":0}]}");
        CocoDataset gt = CocoDataset.Load(dir.File("gt.json"));
        Assert.Equal(4, gt.LoadResults(dir.File("results.json")).Annotations.Count);

        CliRunner.Result mot = CliRunner.Run("export", "mot", "--meta", meta, "-o", dir.File("tracks.txt"), "--class", "person");
        Assert.True(mot.ExitCode == 0, mot.StdErr);
        Assert.Equal(["1,7,1,0,2,2,0.9,-1,-1,-1", "2,7,1.5,0.25,2,2,0.8,-1,-1,-1"], File.ReadAllLines(dir.File("tracks.txt")));
        Assert.Contains("1 untracked instances left out", mot.StdErr, StringComparison.Ordinal);
    }

    [PresetModelsFact]
    public void EvalThroughTheRuntime_OnGroundTruthMadeFromItsOwnRun_ScoresOne()
    {
        // Frames of the pedestrian video as images; 'run' (tracking off) → 'export coco' → that output as ground truth.
        // Evaluating the same images through the runtime must reproduce it detection for detection: AP 1 for boxes,
        // masks and keypoints. This proves the plumbing (image order, ids, categories, masks, keypoint order), not accuracy.
        using var dir = new TempDirectory();
        string images = Directory.CreateDirectory(dir.File("images")).FullName;
        using (var capture = new VideoCapture(TestPaths.SampleVideo))
        using (var frame = new Mat())
        {
            for (int i = 0; i < 120 && capture.Read(frame); i++)
            {
                if (i % 60 == 0)
                {
                    Cv2.ImWrite(Path.Combine(images, $"f{i:D3}.jpg"), frame);
                }
            }
        }

        CliRunner.Result run = CliRunner.Run("run", "--source", images, "--meta", dir.File("run.ndjson"), "--no-track");
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.True(CliRunner.Run("export", "coco", "--meta", dir.File("run.ndjson"), "-o", dir.File("own.json")).ExitCode == 0);

        string[] files = [.. Directory.GetFiles(images).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        using JsonDocument own = JsonDocument.Parse(File.ReadAllText(dir.File("own.json")));
        var annotations = new List<string>();
        foreach (JsonElement d in own.RootElement.EnumerateArray())
        {
            double[] bbox = d.GetProperty("bbox").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] kps = d.GetProperty("keypoints").EnumerateArray().Select((e, j) => j % 3 == 2 ? 2 : e.GetDouble()).ToArray();
            annotations.Add(string.Create(CultureInfo.InvariantCulture,
                $"{{\"id\":{annotations.Count + 1},\"image_id\":{d.GetProperty("image_id").GetInt64()},\"category_id\":1,\"bbox\":[{string.Join(',', bbox)}],\"area\":{bbox[2] * bbox[3]},\"iscrowd\":0,\"segmentation\":{d.GetProperty("segmentation").GetRawText()},\"keypoints\":[{string.Join(',', kps)}],\"num_keypoints\":17}}"));
        }

        Assert.NotEmpty(annotations);
        File.WriteAllText(dir.File("gt.json"),
            "{\"images\":[" + string.Join(',', files.Select((f, i) => $"{{\"id\":{i + 1},\"file_name\":\"{f}\",\"width\":768,\"height\":576}}")) + "]," +
            "\"categories\":[{\"id\":1,\"name\":\"person\"}],\"annotations\":[" + string.Join(',', annotations) + "]}");

        CliRunner.Result eval = CliRunner.Run("eval", "--gt", dir.File("gt.json"), "--images", images, "--results", dir.File("results.json"), "--json", dir.File("eval.json"));
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        using JsonDocument figures = JsonDocument.Parse(File.ReadAllText(dir.File("eval.json")));
        foreach (string type in new[] { "bbox", "segm", "keypoints" })
        {
            Assert.Equal(1, figures.RootElement.GetProperty(type).GetProperty("AP").GetDouble(), 12);
            Assert.Equal(1, figures.RootElement.GetProperty(type).GetProperty("AP50").GetDouble(), 12);
        }

        Assert.Contains("Evaluate annotation type *keypoints*", eval.StdOut, StringComparison.Ordinal);
    }
}
