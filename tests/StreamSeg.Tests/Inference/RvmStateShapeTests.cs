using OpenCvSharp;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// The published RVM (models/rvm.onnx) on real frames of two videos: the state shapes the adapter predicts (used for
/// TensorRT profiles and for full-shape zero states) are the ones the model's state outputs have, and starting a state
/// from zeros at that full shape computes exactly what the broadcast zero start does.
/// </summary>
public sealed class RvmStateShapeTests : IDisposable
{
    private const string Megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly List<Mat> _mats = [];

    public void Dispose() => _mats.ForEach(m => m.Dispose());

    private static string RvmPath => Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "rvm.onnx");

    private List<Mat> Frames(string video, int count)
    {
        Assert.True(File.Exists(video), $"{video} is missing (Debian's opencv-doc)");
        using var capture = new VideoCapture(video);
        var frames = new List<Mat>();
        for (int i = 0; i < count; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"{video} ended before frame {i}");
            frames.Add(mat);
            _mats.Add(mat);
        }

        return frames;
    }

    private static PooledTensor Tensor(OnnxModel model, Mat frame)
    {
        using var writer = new TensorWriter();
        PooledTensor t = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(model.Input, frame.Width, frame.Height), TensorWriter.ElementFor(model.Input));
        writer.Write(frame, model.Input, t);
        return t;
    }

    [PresetModelsFact]
    public void StateShape_IsTheShapeOfTheModelsStateOutputs_AtSeveralFrameSizes()
    {
        using var model = new OnnxModel(RvmPath, _factory);
        var adapter = (IRecurrentAdapter)model.Adapter;
        Mat vtest = Frames(TestPaths.SampleVideo, 1)[0];
        Mat megamind = Frames(Megamind, 1)[0];
        var frames = new List<Mat> { vtest, megamind };
        foreach ((int w, int h) in new[] { (1280, 720), (641, 479), (300, 200), (1000, 563) })
        {
            var resized = new Mat();
            Cv2.Resize(vtest, resized, new Size(w, h));
            _mats.Add(resized);
            frames.Add(resized);
        }

        for (int key = 0; key < frames.Count; key++)
        {
            Mat frame = frames[key];
            using (PooledTensor input = Tensor(model, frame))
            using (model.Run(input, key, discontinuity: false))
            {
            }

            RecurrentState state = model.States!.Acquire(key, false, frame.Width, frame.Height);
            Assert.False(state.IsInitial);
            for (int i = 0; i < adapter.States.Count; i++)
            {
                Assert.True(
                    adapter.StateShape(i, frame.Width, frame.Height)!.SequenceEqual(state.ShapeOf(i)),
                    $"{frame.Width}x{frame.Height} state {i}: predicted [{string.Join(',', adapter.StateShape(i, frame.Width, frame.Height)!)}], model gave [{string.Join(',', state.ShapeOf(i))}]");
            }
        }
    }

    [PresetModelsFact]
    public void FullShapeZeroStart_SameMatteAsBroadcastZeroStart_TwoVideosInterleaved()
    {
        using var broadcast = new OnnxModel(RvmPath, _factory);
        using var full = new OnnxModel(RvmPath, _factory);
        Assert.True(full.StartStatesAtFullShape());
        List<Mat> a = Frames(TestPaths.SampleVideo, 3);
        List<Mat> b = Frames(Megamind, 3);
        for (int i = 0; i < 3; i++)
        {
            foreach ((int key, Mat frame) in new[] { (0, a[i]), (1, b[i]) })
            {
                using PooledTensor input = Tensor(broadcast, frame);
                using ModelOutput expected = broadcast.Run(input, key, discontinuity: false);
                if (i == 0)
                {
                    // The new state is zeros of the full shape, not the [1,1,1,1] the broadcast start feeds.
                    RecurrentState fresh = full.States!.Acquire(key, false, frame.Width, frame.Height);
                    Assert.Equal(((IRecurrentAdapter)full.Adapter).StateShape(3, frame.Width, frame.Height), fresh.ShapeOf(3));
                }

                using ModelOutput actual = full.Run(input, key, discontinuity: false);
                for (int t = 0; t < expected.Tensors.Length; t++)
                {
                    float[] e = expected.Tensors[t].Span.ToArray();
                    float[] g = actual.Tensors[t].Span.ToArray();
                    Assert.Equal(e.Length, g.Length);
                    float worst = 0;
                    for (int k = 0; k < e.Length; k++)
                    {
                        worst = Math.Max(worst, Math.Abs(e[k] - g[k]));
                    }

                    Assert.True(worst <= 1e-5f, $"frame {i} of source {key}, output {t}: differs by {worst}");
                }
            }
        }
    }

    [PresetModelsFact]
    public void ShapesAt_ImageAndStates_GiveTheProfileOfTwoVideos()
    {
        using var model = new OnnxModel(RvmPath, _factory);
        TensorRtProfile profile = TensorRtProfile.Build(new TensorRtShapePlan([new FrameSize(768, 576), new FrameSize(720, 528)], 1), model.ShapesAt)!;

        // 768×576 and 720×528 both get downsample_ratio 0.5: states at 1/2…1/16 of 384×288 and 360×264 (rounded up).
        Assert.Equal("r1i:1x132x180x16,r2i:1x66x90x20,r3i:1x33x45x40,r4i:1x17x23x64,src:1x528x720x3", profile.MinShapes);
        Assert.Equal("r1i:1x144x192x16,r2i:1x72x96x20,r3i:1x36x48x40,r4i:1x18x24x64,src:1x576x768x3", profile.MaxShapes);
        Assert.Equal(profile.MaxShapes, profile.OptShapes);
    }
}
