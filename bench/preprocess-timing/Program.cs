// Issue 16: the preprocess stage's pixel work for the people preset (or, with a third argument 'yolo', two YOLO inputs) (MoveNet MultiPose at long side 512, int32, TF
// resize; RVM at the frame's size, float NHWC RGB /255), before (bb9b9cf's TensorWriter, copied) and after, on the
// first frames of vtest.avi, in alternating rounds. Thread CPU time is reported beside wall time because the machine
// is shared. Not in the solution: `dotnet run -c Release --project bench/preprocess-timing [rounds] [frames] [people|yolo]`.
using System.Diagnostics;
using OpenCvSharp;
using PreprocessTiming;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

int rounds = args.Length > 0 ? int.Parse(args[0]) : 4;
int perRound = args.Length > 1 ? int.Parse(args[1]) : 50;
var frames = new List<Mat>();
using (var capture = new VideoCapture("/usr/share/doc/opencv-doc/examples/data/vtest.avi"))
{
    for (int i = 0; i < 16; i++)
    {
        var m = new Mat();
        capture.Read(m);
        frames.Add(m);
    }
}

// "people": the preset's two inputs; "yolo": a YOLO-style 640×640 letterboxed NCHW float input twice (two models of
// one size, as --model + --pose-model of one family are), which the shared resize and mixChannels split serve.
InputSpec[] specs = args.Length > 2 && args[2] == "yolo"
    ? [new InputSpec("images", 640, 640), new InputSpec("images", 640, 640)]
    :
    [
        MoveNetMultiPoseAdapter.CreateInput("input", 512),
        new InputSpec("src", 0, 0, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Nhwc),
    ];
int w = frames[0].Width, h = frames[0].Height;
PooledTensor[] tensors = [.. specs.Select(s => PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(s, w, h), TensorWriter.ElementFor(s)))];
using var after = new TensorWriter();
using var before = new BaselineTensorWriter();

(double Wall, double Cpu)[] Time(Action<Mat, int> write)
{
    var r = new (double, double)[specs.Length + 1];
    for (int s = 0; s <= specs.Length; s++)
    {
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < perRound; i++)
        {
            write(frames[i % frames.Count], s);
        }

        r[s] = (Stopwatch.GetElapsedTime(t0).TotalMilliseconds / perRound, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / perRound);
    }

    return r;
}

void Before(Mat f, int s)
{
    if (s < specs.Length) { before.Write(f, specs[s], tensors[s]); return; }
    for (int k = 0; k < specs.Length; k++) before.Write(f, specs[k], tensors[k]);
}

void After(Mat f, int s)
{
    if (s < specs.Length) { after.Write(f, specs[s], tensors[s]); return; }
    after.WriteAll(f, specs, tensors);
}

// Same bytes first: the new writer must give exactly the old tensors.
static double[] Copy(PooledTensor t) => t.Ints is { } i ? Array.ConvertAll(i, v => (double)v) : Array.ConvertAll(t.Floats!, v => (double)v);
before.Write(frames[3], specs[0], tensors[0]); double[] old0 = Copy(tensors[0]);
before.Write(frames[3], specs[1], tensors[1]); double[] old1 = Copy(tensors[1]);
after.WriteAll(frames[3], specs, tensors);
Console.WriteLine($"identical: input 0 {old0.AsSpan().SequenceEqual(Copy(tensors[0]))}, input 1 {old1.AsSpan().SequenceEqual(Copy(tensors[1]))}");
Time(Before); Time(After);
Console.WriteLine("round  who     input 0 wall/cpu ms   input 1 wall/cpu ms   both wall/cpu ms   (load " + File.ReadAllText("/proc/loadavg").Trim() + ")");
for (int r = 0; r < rounds; r++)
{
    foreach ((string who, Action<Mat, int> write) in new[] { ("before", (Action<Mat, int>)Before), ("after", After) })
    {
        var t = Time(write);
        Console.WriteLine($"{r,5}  {who,-6}  {t[0].Wall,7:0.00} / {t[0].Cpu,5:0.00}     {t[1].Wall,6:0.00} / {t[1].Cpu,5:0.00}     {t[2].Wall,6:0.00} / {t[2].Cpu,5:0.00}");
    }
}
