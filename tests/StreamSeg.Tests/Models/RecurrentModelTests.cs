using OpenCvSharp;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

/// <summary>
/// Runs rvm-toy.onnx (scripts/make_recurrent_fixture.py): RVM's TF.js signature with closed-form outputs, where
/// pha = mean(src) · downsample_ratio + mean(r1i) and rKo = rKi + K, so pha counts the frames a state has seen.
/// </summary>
public sealed class RecurrentModelTests : IDisposable
{
    private const float Grey = 51f / 255f; // 0.2
    private readonly OnnxModel _model = new(
        TestPaths.Model("rvm-toy.onnx"), new OnnxSessionFactory(new SessionFactoryOptions(ExecutionDevice.Cpu, IntraOpThreads: 1)));

    public void Dispose() => _model.Dispose();

    private float Pha(int width, int height, int source, bool discontinuity = false)
    {
        using var bgr = new Mat(height, width, MatType.CV_8UC3, new Scalar(51, 51, 51));
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(_model.Adapter.Input, width, height), false);
        writer.Write(bgr, _model.Adapter.Input, tensor);
        using ModelOutput output = source < 0 ? _model.Run(tensor) : _model.Run(tensor, source, discontinuity);
        using Matte matte = ((IMatteAdapter)_model.Adapter).DecodeMatte(output.Tensors, output.Transform);
        Assert.Equal((width, height), (matte.Width, matte.Height));
        return matte.AlphaAtFramePixel(width / 2, height / 2);
    }

    [Fact]
    public void Run_PerSourceState_ContinuesAndResets()
    {
        Assert.IsType<RvmMatteAdapter>(_model.Adapter);
        const float first = Grey * 0.5f; // 768×576 → downsample_ratio 0.5, zero state
        Assert.Equal(first, Pha(768, 576, 0), 4);
        Assert.Equal(first + 1, Pha(768, 576, 0), 4);      // fed r1o = 1 from frame 0
        Assert.Equal(first, Pha(768, 576, 1), 4);          // a new source starts from zero
        Assert.Equal(first + 2, Pha(768, 576, 0), 4);      // source 0 went on
        Assert.Equal(first, Pha(768, 576, 0, discontinuity: true), 4);
        Assert.Equal(first + 1, Pha(768, 576, 0), 4);
        Assert.Equal(Grey, Pha(64, 48, 0), 4);             // new size: ratio 1, zero state again
        Assert.Equal(2, _model.States!.Count);

        RecurrentState state = _model.States.Acquire(0, false, 64, 48);
        Assert.Equal([1L, 2, 2, 16], state.ShapeOf(0));
        Assert.Equal([1L, 2, 2, 64], state.ShapeOf(3));
    }

    [Fact]
    public void InferenceStage_ForgetSource_DropsThatSourcesStateOnly()
    {
        const float first = Grey * 0.5f;
        Assert.Equal(first, Pha(768, 576, 0), 4);
        Assert.Equal(first, Pha(768, 576, 1), 4);
        Assert.Equal(2, _model.States!.Count);

        // A source leaving a live pipeline: the inference stage drops its recurrent state, the other source goes on.
        var stage = new StreamSeg.Inference.InferenceStage([_model]);
        stage.ForgetSource(0);
        Assert.Equal(1, _model.States.Count);
        Assert.Equal(first + 1, Pha(768, 576, 1), 4);
        Assert.Equal(first, Pha(768, 576, 0), 4); // had it been kept, this would be first + 1
    }

    [Fact]
    public void Run_WithoutSource_UsesAZeroStateNotKept()
    {
        Assert.Equal(Grey * 0.5f, Pha(768, 576, -1), 4);
        Assert.Equal(Grey * 0.5f, Pha(768, 576, -1), 4);
        Assert.Equal(0, _model.States!.Count);
    }

    [Fact]
    public void Run_FetchesOnlyWhatTheAdapterReads_NotTheForegroundColours()
    {
        using var bgr = new Mat(48, 64, MatType.CV_8UC3, new Scalar(51, 51, 51));
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(_model.Adapter.Input, 64, 48), false);
        writer.Write(bgr, _model.Adapter.Input, tensor);
        using ModelOutput output = _model.Run(tensor, 0, discontinuity: true);

        // The toy has TF.js's output names: Identity is fgr, the foreground colours, which nothing reads.
        int fgr = Assert.Single(Enumerable.Range(0, output.Tensors.Length), i => !_model.Adapter.NeedsOutput(i));
        Assert.Equal("Identity", output.Tensors[fgr].Name);
        for (int i = 0; i < output.Tensors.Length; i++)
        {
            // fgr is left empty; pha and the recurrent states come back whole.
            RawTensor t = output.Tensors[i];
            Assert.Equal(i == fgr ? 0 : t.ElementCount, t.Data.Length);
            Assert.True(i == fgr || t.ElementCount > 0, $"{t.Name} came back empty");
        }

        // The states were still taken from the right outputs: the next frame of source 0 continues from r1o = 1.
        Assert.Equal(Grey + 1, Pha(64, 48, 0), 4);
    }

    [Fact]
    public void Run_OutputsHeldByEarlierFrames_AreNotOverwrittenByLaterRuns()
    {
        // After the first frame of a size, RVM's outputs go into buffers preallocated for that size: each output that
        // is still held must keep its own buffer, and released ones are reused without mixing up values.
        using var bgr = new Mat(576, 768, MatType.CV_8UC3, new Scalar(51, 51, 51));
        using var writer = new TensorWriter();
        using PooledTensor tensor = PooledTensor.CreateUnpooled(TensorWriter.ShapeFor(_model.Adapter.Input, 768, 576), false);
        writer.Write(bgr, _model.Adapter.Input, tensor);
        var adapter = (IMatteAdapter)_model.Adapter;
        float Alpha(ModelOutput o)
        {
            using Matte m = adapter.DecodeMatte(o.Tensors, o.Transform);
            return m.AlphaAtFramePixel(100, 100);
        }

        const float first = Grey * 0.5f;
        for (int round = 0; round < 2; round++)
        {
            var held = new List<ModelOutput>();
            for (int i = 0; i < 4; i++)
            {
                held.Add(_model.Run(tensor, 5, discontinuity: i == 0));
            }

            for (int i = 0; i < held.Count; i++)
            {
                Assert.Equal(first + i, Alpha(held[i]), 4);
            }

            held.ForEach(o => o.Dispose());
        }
    }

    [Fact]
    public async Task Stages_AttachMatte_PerSource()
    {
        var preprocess = new PreprocessStage([_model.Adapter.Input]);
        var inference = new InferenceStage([_model]);
        var decode = new DecodeStage([_model.Adapter]);
        try
        {
            for (int i = 0; i < 3; i++)
            {
                using Frame frame = Frame.CreateUnpooled(new Mat(576, 768, MatType.CV_8UC3, new Scalar(51, 51, 51)));
                frame.Meta.SourceIndex = 3;
                frame.Meta.Discontinuity = i == 2;
                await preprocess.ProcessAsync(frame, default);
                await inference.ProcessAsync(frame, default);
                await decode.ProcessAsync(frame, default);
                Assert.NotNull(frame.Matte);
                Assert.Equal((i == 1 ? 1 : 0) + (Grey * 0.5f), frame.Matte.AlphaAtFramePixel(10, 10), 4);
                Assert.Equal(0, frame.Instances!.Count);
            }
        }
        finally
        {
            await preprocess.DisposeAsync();
        }
    }
}
