using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using StreamSeg.Evaluation.Mot;
using StreamSeg.Evaluation.Panoptic;

// Times the evaluators on the reference data (TUD-Campus, the panoptic case) and on synthetic data at benchmark scale:
// a MOT17-04-sized sequence (1050 frames, 40 objects) and 100 COCO-sized panoptic images (640×480, 30 segments each).
string data = args.Length > 0 ? args[0] : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/eval"));
var evaluator = new MotEvaluator();

if (File.Exists(Path.Combine(data, "mot/TUD-Campus/gt.txt")))
{
    string gt = Path.Combine(data, "mot/TUD-Campus/gt.txt"), test = Path.Combine(data, "mot/TUD-Campus/test.txt");
    Report("MOT, TUD-Campus (71 frames, 359 GT / 222 tracker boxes), files read each time", 21, () => evaluator.Evaluate(gt, test));
    string dir = Path.Combine(data, "panoptic/coco_format");
    Report("PQ, reference case (1 image 80×60), files read each time", 21, () => PanopticEvaluator.Evaluate(Path.Combine(dir, "gt.json"), Path.Combine(dir, "gt"), Path.Combine(dir, "pred.json"), Path.Combine(dir, "pred")));
}

(List<MotDetection> sgt, List<MotDetection> str) = SyntheticMot(1050, 40, new Random(1));
Report($"MOT, synthetic 1050 frames ({sgt.Count} GT / {str.Count} tracker boxes), in memory", 5, () => evaluator.Evaluate(sgt, str));

if (Environment.GetEnvironmentVariable("EVAL_SPEED_PARTS") == "1")
{
    MotSequenceData d = MotSequenceData.FromDetections(sgt, str, new MotEvaluatorOptions());
    Report("  data", 3, () => MotSequenceData.FromDetections(sgt, str, new MotEvaluatorOptions()));
    Report("  clear", 3, () => ClearMetrics.Evaluate(d));
    Report("  identity", 3, () => IdentityMetrics.Evaluate(d));
    Report("  hota", 3, () => HotaMetrics.Evaluate(d));
}

string tmp = Path.Combine(Path.GetTempPath(), "streamseg-eval-speed");
WriteSyntheticPanoptic(tmp, 100, 640, 480, 30, new Random(2));
Report("PQ, synthetic 100 images 640×480, 30 segments each (PNG decode included)", 5,
    () => PanopticEvaluator.Evaluate(Path.Combine(tmp, "gt.json"), Path.Combine(tmp, "gt"), Path.Combine(tmp, "pred.json"), Path.Combine(tmp, "pred")));
if (Environment.GetEnvironmentVariable("EVAL_SPEED_PARTS") == "1")
{
    int[] buffer = [];
    Report("  PNG decode only (200 files)", 3, () =>
    {
        foreach (string png in Directory.GetFiles(Path.Combine(tmp, "gt")).Concat(Directory.GetFiles(Path.Combine(tmp, "pred"))))
        {
            PanopticPngReader.Read(png, ref buffer, System.Buffers.ArrayPool<int>.Shared);
        }
    });
}

Directory.Delete(tmp, recursive: true);

static void Report(string what, int runs, Action action)
{
    // Wall time on a shared machine is mostly waiting for a core; the process's CPU time is what carries over.
    using var process = Process.GetCurrentProcess();
    var first = Stopwatch.StartNew();
    TimeSpan cpu0 = process.TotalProcessorTime;
    action(); // first run: JIT and OpenCV start-up included
    process.Refresh();
    double firstCpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds, firstWall = first.Elapsed.TotalMilliseconds;
    var wall = new List<double>();
    var cpu = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        process.Refresh();
        TimeSpan before = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        wall.Add(watch.Elapsed.TotalMilliseconds);
        process.Refresh();
        cpu.Add((process.TotalProcessorTime - before).TotalMilliseconds);
    }

    wall.Sort();
    cpu.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: warm median CPU {cpu[cpu.Count / 2]:0.0} ms, wall {wall[wall.Count / 2]:0.0} ms ({runs} runs); first run CPU {firstCpu:0.0} ms, wall {firstWall:0.0} ms"));
}

static (List<MotDetection> Gt, List<MotDetection> Tracker) SyntheticMot(int frames, int objects, Random random)
{
    var gt = new List<MotDetection>();
    var tr = new List<MotDetection>();
    int nextTrack = 1000;
    var trackOf = new int[objects];
    for (int o = 0; o < objects; o++)
    {
        trackOf[o] = nextTrack++;
    }

    for (int f = 1; f <= frames; f++)
    {
        for (int o = 0; o < objects; o++)
        {
            if ((f + (o * 37)) % 400 < 40)
            {
                continue; // the object is out of view for a while
            }

            double x = ((o * 47) + (f * (1 + (o % 5)))) % 1800, y = (o * 23) % 900;
            gt.Add(new MotDetection(f, o + 1, x, y, 40, 100, 1, 1));
            if (random.NextDouble() < 0.1)
            {
                continue; // missed
            }

            if (random.NextDouble() < 0.002)
            {
                trackOf[o] = nextTrack++; // identity switch
            }

            tr.Add(new MotDetection(f, trackOf[o], x + (random.NextDouble() * 8) - 4, y + (random.NextDouble() * 8) - 4, 40 + (random.NextDouble() * 6) - 3, 100, -1, -1));
        }

        for (int k = 0; k < 3; k++)
        {
            tr.Add(new MotDetection(f, 100000 + (f * 10) + k, random.Next(0, 1800), random.Next(0, 900), 40, 100, -1, -1));
        }
    }

    return (gt, tr);
}

static void WriteSyntheticPanoptic(string dir, int images, int width, int height, int segments, Random random)
{
    Directory.CreateDirectory(Path.Combine(dir, "gt"));
    Directory.CreateDirectory(Path.Combine(dir, "pred"));
    var gtJson = new List<string>();
    var predJson = new List<string>();
    for (int i = 0; i < images; i++)
    {
        using var gt = new Mat(height, width, MatType.CV_8UC3, Scalar.All(0));
        using var pred = new Mat(height, width, MatType.CV_8UC3, Scalar.All(0));
        var gtSegs = new List<string>();
        var predSegs = new List<string>();
        for (int s = 1; s <= segments; s++)
        {
            int w = random.Next(20, 200), h = random.Next(20, 200), x = random.Next(0, width - w), y = random.Next(0, height - h);
            int category = 1 + (s % 10);
            Cv2.Rectangle(gt, new Rect(x, y, w, h), Color(s), -1);
            Cv2.Rectangle(pred, new Rect(x + random.Next(-8, 9), y + random.Next(-8, 9), w, h), Color(s + 1000), -1);
            gtSegs.Add(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{s},\"category_id\":{category},\"iscrowd\":0,\"area\":0}}"));
            predSegs.Add(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{s + 1000},\"category_id\":{category}}}"));
        }

        // Later rectangles overwrite earlier ones: keep only ids still visible, and GT areas as the pixel counts.
        Cv2.ImWrite(Path.Combine(dir, "gt", $"{i}.png"), gt);
        Cv2.ImWrite(Path.Combine(dir, "pred", $"{i}.png"), pred);
        (List<string> gtKept, List<string> predKept) = (Visible(Path.Combine(dir, "gt", $"{i}.png"), gtSegs, true), Visible(Path.Combine(dir, "pred", $"{i}.png"), predSegs, false));
        gtJson.Add(string.Create(CultureInfo.InvariantCulture, $"{{\"image_id\":{i},\"file_name\":\"{i}.png\",\"segments_info\":[{string.Join(',', gtKept)}]}}"));
        predJson.Add(string.Create(CultureInfo.InvariantCulture, $"{{\"image_id\":{i},\"file_name\":\"{i}.png\",\"segments_info\":[{string.Join(',', predKept)}]}}"));
    }

    string categories = string.Join(',', Enumerable.Range(1, 10).Select(c => string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{c},\"name\":\"c{c}\",\"isthing\":{(c <= 8 ? 1 : 0)}}}")));
    File.WriteAllText(Path.Combine(dir, "gt.json"), $"{{\"categories\":[{categories}],\"annotations\":[{string.Join(',', gtJson)}]}}");
    File.WriteAllText(Path.Combine(dir, "pred.json"), $"{{\"annotations\":[{string.Join(',', predJson)}]}}");
}

static Scalar Color(int id) => new(id >> 16, (id >> 8) & 255, id & 255);

static List<string> Visible(string png, List<string> segments, bool withArea)
{
    int[] ids = [];
    (int w, int h) = PanopticPngReader.Read(png, ref ids, System.Buffers.ArrayPool<int>.Shared);
    var counts = new Dictionary<int, int>();
    for (int i = 0; i < w * h; i++)
    {
        counts[ids[i]] = counts.GetValueOrDefault(ids[i]) + 1;
    }

    System.Buffers.ArrayPool<int>.Shared.Return(ids);

    var kept = new List<string>();
    foreach (string s in segments)
    {
        int id = int.Parse(s.Split(',')[0].Split(':')[1], CultureInfo.InvariantCulture);
        if (counts.TryGetValue(id, out int area))
        {
            kept.Add(withArea ? s.Replace("\"area\":0", string.Create(CultureInfo.InvariantCulture, $"\"area\":{area}"), StringComparison.Ordinal) : s);
        }
    }

    return kept;
}
