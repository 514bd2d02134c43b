// Throwaway benchmark for bench/RESULTS.md (not part of the solution): dotnet run -c Release --project bench/latency-histogram
using System.Diagnostics;
using HdrHistogram;
using StreamSeg.Pipeline;

const int N = 200_000;
var rng = new Random(20261203);

// A realistic stage-latency sample in ms: log-normal around 18 ms (sigma 0.3), 2 % slow frames (x2..x6, GC pauses,
// a contended GPU), 0.2 % very slow (100..400 ms, a reconnect or a first-frame warm-up).
double[] sample = new double[N];
for (int i = 0; i < N; i++)
{
    double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
    double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    double ms = 18 * Math.Exp(0.3 * z);
    double r = rng.NextDouble();
    if (r < 0.002) ms = 100 + rng.NextDouble() * 300;
    else if (r < 0.022) ms *= 2 + rng.NextDouble() * 4;
    sample[i] = ms;
}

double[] sorted = (double[])sample.Clone();
Array.Sort(sorted);
double Exact(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * N), 1, N) - 1];
double[] ps = [50, 95, 99, 99.9];

var lh = new LatencyHistogram();
var hdr3 = new LongConcurrentHistogram(1, 100_000_000, 3); // µs, 1 µs .. 100 s, 3 significant digits
var hdr2 = new LongConcurrentHistogram(1, 100_000_000, 2);
foreach (double ms in sample)
{
    lh.Record(ms);
    hdr3.RecordValue((long)Math.Round(ms * 1000));
    hdr2.RecordValue((long)Math.Round(ms * 1000));
}

Console.WriteLine($"sample: {N} values, mean {sample.Average():0.00} ms");
Console.WriteLine("| percentile | exact (ms) | LatencyHistogram (ms, error) | HdrHistogram 3 digits (ms, error) | HdrHistogram 2 digits (ms, error) |");
Console.WriteLine("|---|---|---|---|---|");
foreach (double p in ps)
{
    double e = Exact(p);
    double a = lh.Percentile(p);
    double b = hdr3.GetValueAtPercentile(p) / 1000.0;
    double c = hdr2.GetValueAtPercentile(p) / 1000.0;
    Console.WriteLine($"| p{p} | {e:0.000} | {a:0.000} ({(a - e) / e * 100:+0.00;-0.00} %) | {b:0.000} ({(b - e) / e * 100:+0.00;-0.00} %) | {c:0.000} ({(c - e) / e * 100:+0.00;-0.00} %) |");
}

Console.WriteLine($"mean: exact {sample.Average():0.000}, LatencyHistogram {lh.MeanMs:0.000}, Hdr3 {hdr3.GetMean() / 1000:0.000}");
Console.WriteLine($"footprint: LatencyHistogram {820 * 8 + 64} B of buckets, Hdr3 {hdr3.GetEstimatedFootprintInBytes()} B, Hdr2 {hdr2.GetEstimatedFootprintInBytes()} B");

// Record cost, single thread (the runner records from one loop per stage), and allocation.
static (double NsPerOp, long Bytes) Time(Action<double> record, double[] values, int rounds)
{
    for (int r = 0; r < 2; r++) foreach (double v in values) record(v); // warm-up, tier-up
    long alloc0 = GC.GetAllocatedBytesForCurrentThread();
    long t0 = Stopwatch.GetTimestamp();
    for (int r = 0; r < rounds; r++) foreach (double v in values) record(v);
    double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / ((double)rounds * values.Length);
    return (ns, GC.GetAllocatedBytesForCurrentThread() - alloc0);
}

var lh2 = new LatencyHistogram();
var h3 = new LongConcurrentHistogram(1, 100_000_000, 3);
var h3plain = new LongHistogram(100_000_000, 3);
for (int trial = 0; trial < 3; trial++)
{
    var a = Time(lh2.Record, sample, 10);
    var b = Time(v => h3.RecordValue((long)Math.Round(v * 1000)), sample, 10);
    var c = Time(v => h3plain.RecordValue((long)Math.Round(v * 1000)), sample, 10);
    Console.WriteLine($"record, trial {trial}: LatencyHistogram {a.NsPerOp:0.0} ns/op ({a.Bytes} B), LongConcurrentHistogram {b.NsPerOp:0.0} ns/op ({b.Bytes} B), LongHistogram (not thread-safe) {c.NsPerOp:0.0} ns/op ({c.Bytes} B)");
}

// Percentile query cost (the HUD asks a few times a second).
long q0 = Stopwatch.GetTimestamp(); long qa0 = GC.GetAllocatedBytesForCurrentThread();
double sink = 0;
for (int i = 0; i < 2000; i++) sink += lh2.Percentile(95);
double lq = Stopwatch.GetElapsedTime(q0).TotalMicroseconds / 2000; long lqa = (GC.GetAllocatedBytesForCurrentThread() - qa0) / 2000;
q0 = Stopwatch.GetTimestamp(); qa0 = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 2000; i++) sink += h3.GetValueAtPercentile(95);
double hq = Stopwatch.GetElapsedTime(q0).TotalMicroseconds / 2000; long hqa = (GC.GetAllocatedBytesForCurrentThread() - qa0) / 2000;
Console.WriteLine($"percentile query: LatencyHistogram {lq:0.0} µs ({lqa} B), LongConcurrentHistogram {hq:0.0} µs ({hqa} B)  [{sink:0}]");
