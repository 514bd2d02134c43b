using Microsoft.Extensions.Logging;
using StreamSeg.Capture;
using StreamSeg.Configuration;
using StreamSeg.Decode;
using StreamSeg.Frames;
using StreamSeg.Inference;
using StreamSeg.Memory;
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
    /// <remarks>
    /// <paramref name="sources"/>, when known, give each source's tracker its frame rate and decide keypoint smoothing
    /// (on for video, off for image folders, unless the config says); a service's streams, added later, get 30 fps and
    /// smoothing.
    /// </remarks>
    public static List<(IStage<Frame, Frame> Stage, PipelineStage Kind)> Create(RunConfig config, List<OnnxModel> models, int sourceCount, PipelineStats stats, ILoggerFactory loggerFactory, bool forceDrawing = false, IReadOnlyList<IFrameSource>? sources = null, IReadOnlyList<TensorMemory>? inputMemories = null)
    {
        var stages = new List<(IStage<Frame, Frame>, PipelineStage)>
        {
            (PreprocessFor(models, PreprocessWorkers(config, sourceCount), inputMemories), PipelineStage.Preprocess),
            (new InferenceStage(models, ModelLoader.BatchSize(config, sourceCount, models), ModelLoader.ModelLanesFor(config)), PipelineStage.Inference),
            (new DecodeStage(
                models.ConvertAll(m => m.Adapter),
                splitter: models.Exists(m => m.Adapter is IMatteAdapter) ? new MatteSplitter(MatteSplitterOptions.Default, logger: loggerFactory.CreateLogger<MatteSplitter>()) : null,
                scaleMerger: ModelLoader.PresetPoseScales(config) > 1 ? new PoseScaleMerger() : null), PipelineStage.Decode),
        };
        if (config.Track != false)
        {
            ByteTrackerOptions tracker = TrackerOptions(config);
            stages.Add((new TrackingStage(tracker, source => TrackingSettings(config, tracker, sources, source)), PipelineStage.Tracking));
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
                TrackIds = config.Overlay.Labels && config.Track != false,
                Keypoints = config.Overlay.Keypoints,
                Hud = config.Overlay.Hud,
                MaskAlpha = config.Overlay.MaskAlpha,
                KeypointThreshold = config.Overlay.KeypointThreshold,
            };
            stages.Add((new OverlayStage(new OverlayComposer(overlay, stats)), PipelineStage.Overlay));
        }

        return stages;
    }

    /// <summary>The tracking settings of source <paramref name="index"/>: its frame rate (30 when unknown) and its keypoint smoothing.</summary>
    internal static TrackingSourceSettings TrackingSettings(RunConfig config, ByteTrackerOptions tracker, IReadOnlyList<IFrameSource>? sources, int index)
    {
        IFrameSource? source = sources is not null && (uint)index < (uint)sources.Count ? sources[index] : null;
        double fps = source?.Fps ?? 0;

        // An image folder's frames are not a motion to smooth.
        bool still = source?.Kind == SourceKind.ImageFolder;
        bool smooth = config.Smooth ?? !still;
        return new TrackingSourceSettings(
            fps > 0 ? tracker with { FrameRate = fps } : tracker,
            smooth ? new OneEuroOptions() : null,
            Enabled: config.Track ?? !still);
    }

    /// <summary>
    /// The preprocess stage: <see cref="RunConfig.PreprocessWorkers"/> workers, by default (0) with several sources up to
    /// one worker per source, at most half the cores (the models' own threads need the rest) and 8, each worker with its
    /// own stage (<see cref="ParallelStage"/>); one worker is one plain stage.
    /// </summary>
    internal static int PreprocessWorkers(RunConfig config, int sourceCount) =>
        config.PreprocessWorkers > 0
            ? config.PreprocessWorkers
            : Math.Clamp(Math.Min(sourceCount, Environment.ProcessorCount / 2), 1, 8);

    private static IStage<Frame, Frame> PreprocessFor(List<OnnxModel> models, int workers, IReadOnlyList<TensorMemory>? inputMemories)
    {
        return workers == 1
            ? new PreprocessStage(models.ConvertAll(m => m.Input), inputMemories)
            : new ParallelStage(() => new PreprocessStage(models.ConvertAll(m => m.Input), inputMemories), workers);
    }

    private static ByteTrackerOptions TrackerOptions(RunConfig config)
    {
        // Upstream ByteTrack (det_thresh = track_thresh + 0.1, low 0.1). The people preset runs it at track_thresh 0.25
        // with upstream's mot20 setting (IoU not weighted by the score): MoveNet's person scores are mostly 0.2–0.6,
        // and weighting by them pushes most matches past the 0.8 cost limit. On the preset's own detections of
        // vtest.avi that keeps 4.1 people a frame tracked in 36 tracks, against 3.0 in 78 tracks with the weighting.
        bool preset = config.Model is null && config.PoseModel is null;
        return new ByteTrackerOptions
        {
            TrackHighThreshold = config.TrackThreshold ?? (preset ? 0.25f : 0.5f),
            FuseScore = !preset,
        };
    }
}
