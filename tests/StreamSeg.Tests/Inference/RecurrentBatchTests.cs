using OpenCvSharp;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// RVM across streams (models/rvm.onnx): the streams' recurrent states stacked along the batch axis give every frame
/// what a run of that frame alone, on its own source's state, gives; a discontinuity resets only its source's rows and
/// a stream that joins starts from zeros at the others' shapes. Real frames of two videos (vtest.avi, and Megamind.avi
/// resized to vtest's size, since one batch holds frames of one size).
/// </summary>
public sealed class RecurrentBatchTests : IDisposable
{
    private const string Megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    private const int Frames = 4;
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly List<Mat> _mats = [];

    public void Dispose() => _mats.ForEach(m => m.Dispose());

    private static string RvmPath => Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "rvm.onnx");

    private List<Mat> Read(string video, Size? size)
    {
        Assert.True(File.Exists(video), $"{video} is missing (Debian's opencv-doc)");
        using var capture = new VideoCapture(video);
        var frames = new List<Mat>();
        for (int i = 0; i < Frames; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"{video} ended before frame {i}");
            if (size is Size s)
            {
                Cv2.Resize(mat, mat, s);
            }

            frames.Add(mat);
            _mats.Add(mat);
        }

        return frames;
    }

    private static PooledTensor Tensor(OnnxModel model, Mat frame)
    {
        using var writer = new TensorWriter();
        PooledTensor t = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(model.Input, frame.Width, frame.Height), TensorWriter.ElementFor(model.Input));
        t.Transform = TensorWriter.TransformFor(model.Input, frame.Width, frame.Height);
        writer.Write(frame, model.Input, t);
        return t;
    }

    private static float[] Pha(OnnxModel model, ModelOutput output)
    {
        int pha = Array.FindIndex(output.Tensors, t => t.Name is "pha" or "Identity_1");
        Assert.True(pha >= 0, "no pha output");
        return output.Tensors[pha].Span.ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(expected[k] - actual[k]));
        }

        Assert.True(worst <= 1e-4f, $"{what}: batched differs from frame by frame by {worst}");
    }

    private static void AssertSameState(OnnxModel single, OnnxModel batched, int source, Mat frame)
    {
        RecurrentState a = single.States!.Acquire(source, false, frame.Width, frame.Height);
        RecurrentState b = batched.States!.Acquire(source, false, frame.Width, frame.Height);
        Assert.Equal(a.Frames, b.Frames);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(a.ShapeOf(i), b.ShapeOf(i));
            AssertClose(a.DataOf(i).ToArray(), b.DataOf(i).ToArray(), $"source {source} state {i}");
        }
    }

    [PresetModelsFact]
    public void RunBatch_TwoVideos_EqualsFrameByFrame_ResetOnlyItsRows_NewStreamJoins()
    {
        using var single = new OnnxModel(RvmPath, _factory);
        using var batched = new OnnxModel(RvmPath, _factory);
        Assert.True(batched.SupportsBatch, "RVM should batch across streams");
        List<Mat> vtest = Read(TestPaths.SampleVideo, null);
        List<Mat> mega = Read(Megamind, new Size(vtest[0].Width, vtest[0].Height));

        for (int i = 0; i < Frames; i++)
        {
            // Frame 2: source 1's frames were dropped (discontinuity); frame 3: source 2 (vtest again) joins.
            var frames = new List<(int Source, Mat Frame, bool Discontinuity)> { (0, vtest[i], false), (1, mega[i], i == 2) };
            if (i == 3)
            {
                frames.Add((2, vtest[i], false));
            }

            var inputs = frames.ConvertAll(f => Tensor(batched, f.Frame));
            try
            {
                ModelOutput[] outs = batched.RunBatch(inputs, frames.ConvertAll(f => f.Source), frames.ConvertAll(f => f.Discontinuity));
                try
                {
                    for (int b = 0; b < frames.Count; b++)
                    {
                        using ModelOutput expected = single.Run(inputs[b], frames[b].Source, frames[b].Discontinuity);
                        AssertClose(Pha(single, expected), Pha(batched, outs[b]), $"frame {i} source {frames[b].Source}");
                        AssertSameState(single, batched, frames[b].Source, frames[b].Frame);
                    }
                }
                finally
                {
                    Array.ForEach(outs, o => o.Dispose());
                }
            }
            finally
            {
                inputs.ForEach(t => t.Dispose());
            }
        }

        // Only source 1 was reset (at frame 2): it has run 2 frames since; source 0 all 4; source 2 its first.
        Assert.Equal(Frames, batched.States!.Acquire(0, false, vtest[0].Width, vtest[0].Height).Frames);
        Assert.Equal(2, batched.States.Acquire(1, false, vtest[0].Width, vtest[0].Height).Frames);
        Assert.Equal(1, batched.States.Acquire(2, false, vtest[0].Width, vtest[0].Height).Frames);
    }

    [PresetModelsFact]
    public void RunBatch_SameSourceTwice_Refused()
    {
        using var model = new OnnxModel(RvmPath, _factory);
        Mat frame = Read(TestPaths.SampleVideo, null)[0];
        using PooledTensor t = Tensor(model, frame);
        Assert.Throws<ArgumentException>(() => model.RunBatch([t, t], [0, 0], [false, false]));
    }
}
