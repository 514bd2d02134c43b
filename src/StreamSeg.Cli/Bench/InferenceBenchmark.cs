using System.Diagnostics;
using StreamSeg.Capture;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;

namespace StreamSeg.Cli.Bench;

/// <summary>The models alone, on tensors prepared beforehand from the first frames of a video: bench's inference-only figure.</summary>
internal static class InferenceBenchmark
{
    /// <summary>
    /// Frames per second of the models alone, <paramref name="batch"/> frames per call (batchable models batch, the
    /// others run frame by frame), on at most <paramref name="concurrency"/> lanes (1: one after another; 0:
    /// every distinct model on its own lane), as <see cref="InferenceStage"/> runs them.
    /// </summary>
    public static double Measure(string video, List<OnnxModel> models, int runs, int batch, int concurrency)
    {
        using var lanes = new ModelLanes(models, concurrency);
        using IFrameSource source = SourceFactory.Create(new SourceOptions(video));
        source.Open();
        var preprocess = new PreprocessStage(models.ConvertAll(m => m.Input));
        var prepared = new List<ModelInputs>();
        using var image = new OpenCvSharp.Mat();
        try
        {
            for (int i = 0; i < 8 && source.Read(image, out _); i++)
            {
                using Frame frame = Frame.CreateUnpooled(image.Clone());
                preprocess.ProcessAsync(frame, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                prepared.Add((ModelInputs)frame.Payload!);
                frame.Payload = null;
            }

            if (prepared.Count == 0)
            {
                throw new SourceException($"Source '{video}': no frame could be read for the benchmark.");
            }

            // Runs as one source (source key 0), so a recurrent model carries its state as it does in the pipeline.
            for (int w = 0; w < 3; w++)
            {
                for (int i = 0; i < models.Count; i++)
                {
                    models[i].Run(prepared[0].Tensors[i], 0, discontinuity: w == 0).Dispose();
                }
            }

            if (batch > 1)
            {
                // One warm-up call per batchable model at this batch size (ONNX Runtime plans each new shape once).
                RunFrames(lanes, models, prepared, 0, batch);
            }

            // The calls the lanes time before dealing the models by their times (as the pipeline's first frames do).
            for (int w = 0; w <= ModelLanes.MeasuredCalls; w++)
            {
                RunFrames(lanes, models, prepared, w * batch, batch);
            }

            var sw = Stopwatch.StartNew();
            int calls = Math.Max(1, runs / batch);
            for (int r = 0; r < calls; r++)
            {
                RunFrames(lanes, models, prepared, r * batch, batch);
            }

            return calls * batch / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            prepared.ForEach(p => p.Dispose());
            preprocess.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void RunFrames(ModelLanes lanes, List<OnnxModel> models, List<ModelInputs> prepared, int first, int count) =>
        lanes.Run(i =>
        {
            if (count > 1 && models[i].SupportsBatch)
            {
                var tensors = new List<PooledTensor>(count);
                for (int k = 0; k < count; k++)
                {
                    tensors.Add(prepared[(first + k) % prepared.Count].Tensors[i]);
                }

                Array.ForEach(models[i].RunBatch(tensors), o => o.Dispose());
                return;
            }

            for (int k = 0; k < count; k++)
            {
                models[i].Run(prepared[(first + k) % prepared.Count].Tensors[i], 0, discontinuity: false).Dispose();
            }
        });

    /// <summary>Gets the frame size of <paramref name="video"/>.</summary>
    public static (int Width, int Height) FrameSize(string video)
    {
        using IFrameSource source = SourceFactory.Create(new SourceOptions(video));
        source.Open();
        return (source.Width, source.Height);
    }
}
