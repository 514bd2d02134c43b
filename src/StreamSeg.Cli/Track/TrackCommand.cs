using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Logging;
using StreamSeg.Configuration;
using StreamSeg.Tracking;

namespace StreamSeg.Cli.Track;

/// <summary>
/// <c>streamseg track --detections FILE [--out tracks.json] [--track-thresh …] [--match-thresh …] [--track-buffer …]
/// [--frame-rate …] [--mot20] [--confirmed-ids]</c>: re-tracks recorded detections (a ByteTrack reference file, or
/// <c>streamseg.frame/1</c> NDJSON from <c>streamseg run --meta</c>) without running any model, and writes the tracks
/// in the reference format (<see cref="TracksFileWriter"/>).
/// </summary>
/// <remarks>
/// Settings: a flag wins, then the reference file's own <c>params</c>, then upstream's defaults (track_thresh 0.5,
/// match_thresh 0.8, track_buffer 30); the frame rate, when not given, is the file's (NDJSON: from its timestamps),
/// else 30. The tracker is the pipeline's (<see cref="TrackReplay"/>).
/// </remarks>
internal static partial class TrackCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(GlobalOptions global)
    {
        ArgumentNullException.ThrowIfNull(global);
        Option<string> detections = OptionParsers.Text("--detections", "FILE", "the detections: a ByteTrack reference JSON file, or streamseg.frame/1 NDJSON written by 'streamseg run --meta' (record with --no-track to re-track every detection)");
        detections.Required = true;
        Option<string> output = OptionParsers.Text("--out", "tracks.json", "where the tracks go, in the ByteTrack reference format (default: standard output)");
        Option<float> trackThresh = OptionParsers.Float("--track-thresh", "0..1", "ByteTrack's track_thresh: scores above it are matched first; new tracks need track_thresh + 0.1 (default: the file's, else 0.5)");
        Option<float> matchThresh = OptionParsers.Float("--match-thresh", "0..1", "largest cost 1 − IoU·score of a first match (default: the file's, else 0.8)");
        Option<int> trackBuffer = OptionParsers.Int("--track-buffer", "N", "ByteTrack's track_buffer: a lost track is kept int(frame_rate / 30 × N) frames (default: the file's, else 30)");
        Option<float> frameRate = OptionParsers.Float("--frame-rate", "FPS", "the detections' frame rate, which scales the track buffer (default: the file's, else 30)");
        var mot20 = new Option<bool>("--mot20") { Description = "upstream's mot20: match on IoU alone, without weighting it by the detection score (default: the file's, else off)" };
        var confirmedIds = new Option<bool>("--confirmed-ids") { Description = "number confirmed tracks only (1, 2, 3 … without gaps) instead of upstream's ids given at birth" };
        var command = new Command("track", "re-track recorded detections with ByteTrack (as published) and write the tracks, without running a model")
        {
            detections,
            output,
            trackThresh,
            matchThresh,
            trackBuffer,
            frameRate,
            mot20,
            confirmedIds,
        };
        command.SetAction(result =>
        {
            using ILoggerFactory loggers = CliLogging.CreateFactory(global.Read(result));
            ILogger logger = loggers.CreateLogger(typeof(TrackCommand).FullName!);
            DetectionsFile file = DetectionsFile.Load(result.GetValue(detections)!);
            ByteTrackerOptions options = Options(
                file,
                result.GetResult(trackThresh) is null ? null : result.GetValue(trackThresh),
                result.GetResult(matchThresh) is null ? null : result.GetValue(matchThresh),
                result.GetResult(trackBuffer) is null ? null : result.GetValue(trackBuffer),
                result.GetResult(frameRate) is null ? null : result.GetValue(frameRate),
                result.GetValue(confirmedIds),
                result.GetValue(mot20) ? true : null);
            if (result.GetResult(frameRate) is null && file.FrameRate is null)
            {
                LogFrameRateAssumed(logger, file.Path);
            }

            string? path = result.GetValue(output);
            int tracks = Write(file, options, path);
            LogTracked(logger, file.Frames.Count, file.Path, tracks, options.MaxTimeLost, path ?? "standard output");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The tracker settings for <paramref name="file"/>: each flag given, else the file's, else upstream's.</summary>
    internal static ByteTrackerOptions Options(DetectionsFile file, float? trackThresh, float? matchThresh, int? trackBuffer, float? frameRate, bool confirmedIds, bool? mot20 = null)
    {
        var defaults = new ByteTrackerOptions();
        var options = new ByteTrackerOptions
        {
            TrackHighThreshold = trackThresh ?? file.TrackThreshold ?? defaults.TrackHighThreshold,
            MatchThreshold = matchThresh ?? file.MatchThreshold ?? defaults.MatchThreshold,
            TrackBuffer = trackBuffer ?? file.TrackBuffer ?? defaults.TrackBuffer,
            FrameRate = frameRate ?? file.FrameRate ?? defaults.FrameRate,
            FuseScore = !(mot20 ?? file.Mot20 ?? false),
            ConfirmedIds = confirmedIds,
        };
        Check(options.TrackHighThreshold is >= 0 and <= 1, "--track-thresh", options.TrackHighThreshold.ToString(CultureInfo.InvariantCulture), "a score in 0..1");
        Check(options.EffectiveNewTrackThreshold <= 1, "--track-thresh", options.TrackHighThreshold.ToString(CultureInfo.InvariantCulture), "at most 0.9 (new tracks need track_thresh + 0.1)");
        Check(options.MatchThreshold is >= 0 and <= 1, "--match-thresh", options.MatchThreshold.ToString(CultureInfo.InvariantCulture), "a cost in 0..1");
        Check(options.TrackBuffer >= 0, "--track-buffer", options.TrackBuffer.ToString(CultureInfo.InvariantCulture), "a number of frames ≥ 0");
        Check(options.FrameRate is > 0 and < 10_000, "--frame-rate", options.FrameRate.ToString(CultureInfo.InvariantCulture), "frames per second > 0");
        return options;
    }

    private static void Check(bool ok, string flag, string value, string expected)
    {
        if (!ok)
        {
            throw new ConfigException($"{flag} {value}: expected {expected}.");
        }
    }

    private static int Write(DetectionsFile file, ByteTrackerOptions options, string? path)
    {
        Stream stream;
        try
        {
            stream = path is null or "-" ? Console.OpenStandardOutput() : File.Create(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new OutputException($"Output '{path}': cannot be written: {ex.Message}", ex);
        }

        using (stream)
        {
            try
            {
                using var writer = new TracksFileWriter(stream, file, options);
                int tracks = TrackReplay.Run(file, options, (frame, number, _, snapshot) => writer.WriteFrame(frame, number, snapshot));
                writer.Complete();
                return tracks;
            }
            catch (IOException ex)
            {
                throw new OutputException($"Output '{path ?? "standard output"}': cannot be written: {ex.Message}", ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "track: {Frames} frames of '{Input}', {Tracks} tracks output (a lost track kept {MaxTimeLost} frames), written to {Output}")]
    private static partial void LogTracked(ILogger logger, int frames, string input, int tracks, int maxTimeLost, string output);

    [LoggerMessage(Level = LogLevel.Warning, Message = "track: '{Input}' gives no frame rate: 30 fps assumed (set --frame-rate)")]
    private static partial void LogFrameRateAssumed(ILogger logger, string input);
}
