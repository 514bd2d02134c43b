using OpenCvSharp;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Inference;

/// <summary>
/// The inference stage batching RVM (models/rvm.onnx) across streams when one call gets several frames of the same
/// sources: each source's frames run in order, one per run, a discontinuity resets only its own source, and every
/// frame's matte equals what a second copy of the model gives running the same frames one by one. Real frames of
/// vtest.avi and Megamind.avi (resized to vtest's size: one batch holds frames of one size).
/// </summary>
public sealed class RecurrentBatchStageTests : IDisposable
{
    private const string Megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    private readonly OnnxSessionFactory _factory = new(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1));
    private readonly List<Mat> _mats = [];

    public void Dispose() => _mats.ForEach(m => m.Dispose());

    private static string RvmPath => Path.Combine(PresetModelsFactAttribute.ModelsDirectory, "rvm.onnx");

    private List<Mat> Read(string video, int count)
    {
        using var capture = new VideoCapture(video);
        var frames = new List<Mat>();
        for (int i = 0; i < count; i++)
        {
            var mat = new Mat();
            Assert.True(capture.Read(mat), $"{video} ended before frame {i}");
            Cv2.Resize(mat, mat, new Size(768, 576));
            frames.Add(mat);
            _mats.Add(mat);
        }

        return frames;
    }

    private static float[] Pha(ModelOutput output) => output.Tensors[Array.FindIndex(output.Tensors, t => t.Name is "pha" or "Identity_1")].Span.ToArray();

    [PresetModelsFact]
    public async Task ProcessBatch_SourcesTwiceInOneCall_InOrder_ResetOnlyItsOwn_SameAsFrameByFrame()
    {
        using var batched = new OnnxModel(RvmPath, _factory);
        using var single = new OnnxModel(RvmPath, _factory);
        Assert.True(batched.SupportsBatch);
        List<Mat> vtest = Read(TestPaths.SampleVideo, 3);
        List<Mat> mega = Read(Megamind, 3);
        var preprocess = new PreprocessStage([batched.Input]);
        var inference = new InferenceStage([batched], maxBatch: 8);
        try
        {
            // One call: source 0 twice, source 1 twice (its second frame after dropped frames), source 2 joining.
            (int Source, Mat Image, bool Discontinuity)[] plan =
                [(0, vtest[0], false), (1, mega[0], false), (0, vtest[1], false), (1, mega[2], true), (2, vtest[2], false)];
            var frames = plan.Select(p =>
            {
                Frame f = Frame.CreateUnpooled(p.Image.Clone());
                f.Meta.SourceIndex = p.Source;
                f.Meta.Discontinuity = p.Discontinuity;
                return f;
            }).ToList();

            // The same frames for the model run one by one (the stage releases its frames' inputs once run).
            var twins = plan.Select(p => Frame.CreateUnpooled(p.Image.Clone())).ToList();
            try
            {
                foreach (Frame f in frames.Concat(twins))
                {
                    await preprocess.ProcessAsync(f, default);
                }

                await inference.ProcessBatchAsync(frames, default);
                for (int i = 0; i < frames.Count; i++)
                {
                    PooledTensor input = ((ModelInputs)twins[i].Payload!).Tensors[0];
                    using ModelOutput expected = single.Run(input, plan[i].Source, plan[i].Discontinuity);
                    float[] e = Pha(expected);
                    float[] g = Pha(((ModelOutputs)frames[i].RawOutputs!).Outputs[0]);
                    Assert.Equal(e.Length, g.Length);
                    float worst = 0;
                    for (int k = 0; k < e.Length; k++)
                    {
                        worst = Math.Max(worst, Math.Abs(e[k] - g[k]));
                    }

                    Assert.True(worst <= 1e-4f, $"frame {i} (source {plan[i].Source}): batched differs from frame by frame by {worst}");
                }
            }
            finally
            {
                frames.ForEach(f => f.Dispose());
                twins.ForEach(f => f.Dispose());
            }

            // Source 1 was reset by its second frame: one frame since; source 0 ran two, source 2 one.
            Assert.Equal(2, batched.States!.Acquire(0, false, 768, 576).Frames);
            Assert.Equal(1, batched.States.Acquire(1, false, 768, 576).Frames);
            Assert.Equal(1, batched.States.Acquire(2, false, 768, 576).Frames);
        }
        finally
        {
            await preprocess.DisposeAsync();
        }
    }
}
