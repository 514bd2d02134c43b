using Microsoft.Extensions.Logging;
using StreamSeg.Configuration;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Models;
using StreamSeg.Overlay;
using StreamSeg.Pipeline;
using StreamSeg.Preprocess;
using StreamSeg.Tracking;

namespace StreamSeg.Cli.Run;

/// <summary>The run's stages, in order: preprocess, inference, decode, then tracking and overlay when the run wants them.</summary>
internal static class StageComposer
{
    /// <summary>
    /// Creates the stages for <paramref name="models"/> (loaded) and <paramref name="sourceCount"/> sources (the
    /// splitter's warnings go to <paramref name="loggerFactory"/>); the caller disposes them. <paramref name="forceDrawing"/>:
    /// overlay even when the config names no video output (a service's streams bring their own).
    /// </summary>
    public static List<(IStage<Frame, Frame> Stage, PipelineStage Kind)> Create(RunConfig config, List<OnnxModel> models, int sourceCount, PipelineStats stats, ILoggerFactory loggerFactory, bool forceDrawing = false)
    {
        var stages = new List<(IStage<Frame, Frame>, PipelineStage)>
        {
            (new PreprocessStage(models.ConvertAll(m => m.Input)), PipelineStage.Preprocess),
            (new InferenceStage(models, ModelLoader.BatchSize(config, sourceCount, models)), PipelineStage.Inference),
            (new DecodeStage(
                models.ConvertAll(m => m.Adapter),
                splitter: models.Exists(m => m.Adapter is IMatteAdapter) ? new MatteSplitter(MatteSplitterOptions.Default, logger: loggerFactory.CreateLogger<MatteSplitter>()) : null,
                scaleMerger: ModelLoader.PresetPoseScales(config) > 1 ? new PoseScaleMerger() : null), PipelineStage.Decode),
        };
        if (config.Track)
        {
            stages.Add((new TrackingStage(TrackerOptions(config)), PipelineStage.Tracking));
        }

        bool drawing = forceDrawing || config.Out is not null || config.Show || config.Http is not null || config.Publish is not null;
        if (drawing)
        {
            var overlay = new OverlayOptions
            {
                Masks = config.Overlay.Masks,
                Boxes = config.Overlay.Boxes,
                Labels = config.Overlay.Labels,
                Scores = config.Overlay.Labels,
                TrackIds = config.Overlay.Labels && config.Track,
                Keypoints = config.Overlay.Keypoints,
                Hud = config.Overlay.Hud,
                MaskAlpha = config.Overlay.MaskAlpha,
                KeypointThreshold = config.Overlay.KeypointThreshold,
            };
            stages.Add((new OverlayStage(new OverlayComposer(overlay, stats)), PipelineStage.Overlay));
        }

        return stages;
    }

    private static ByteTrackerOptions TrackerOptions(RunConfig config)
    {
        bool preset = config.Model is null && config.PoseModel is null;
        float high = config.TrackThreshold ?? (preset ? 0.25f : 0.5f);
        return new ByteTrackerOptions
        {
            TrackHighThreshold = high,
            NewTrackThreshold = preset && config.TrackThreshold is null ? high : Math.Min(1f, high + 0.1f),
            TrackLowThreshold = Math.Min(0.1f, high / 2),

            // Fusing the score into the IoU cost (Ultralytics' default) suits detectors whose scores are near 1;
            // MoveNet's person scores of 0.2–0.5 would push every match past the gate.
            FuseScore = !preset,
        };
    }
}
