// Times the COCO evaluation in one process: the first run (cold: JIT included) and the median of the next ones,
// wall clock and this process's CPU time, for the 100-image val2014 reference data (shared/eval/coco).
using System.Diagnostics;
using StreamSeg.Evaluation.Coco;

string dir = args.Length > 0 ? args[0] : "../shared/eval/coco";
int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
Console.WriteLine($"{Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
foreach ((string type, string results) in new[] { ("bbox", "instances_val2014_fakebbox100_results.json"), ("segm", "instances_val2014_fakesegm100_results.json") })
{
    CocoIouType iouType = type == "bbox" ? CocoIouType.Bbox : CocoIouType.Segm;
    var wall = new List<double>();
    var cpu = new List<double>();
    var load = new List<double>();
    double stat = 0;
    for (int i = 0; i <= repeats; i++)
    {
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        CocoDataset gt = CocoDataset.Load(Path.Combine(dir, "instances_val2014_100.json"));
        CocoDataset dt = gt.LoadResults(Path.Combine(dir, results));
        double loaded = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        CocoEvalResult r = new CocoEvaluator(CocoEvalParameters.For(iouType)).Evaluate(gt, dt);
        wall.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
        load.Add(loaded);
        stat = r.Stats[0];
        if (i == 0)
        {
            Console.WriteLine($"{type}: {dt.Annotations.Count} detections, {gt.Annotations.Count} ground truths, AP {stat:R}");
            Console.WriteLine($"{type} cold (first run, JIT included): load+evaluate {wall[0]:0} ms wall ({load[0]:0} ms reading the files), {cpu[0]:0} ms CPU");
        }
    }

    static double Median(List<double> v) { var s = v.Skip(1).Order().ToList(); return s[s.Count / 2]; }
    Console.WriteLine($"{type} warm (median of {repeats}): load+evaluate {Median(wall):0.0} ms wall ({Median(load):0.0} ms reading the files), {Median(cpu):0.0} ms CPU");
}
