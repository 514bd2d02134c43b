using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace StreamSeg.Configuration;

/// <summary>Reads a <see cref="RunConfig"/> from YAML, refusing unknown keys and values of the wrong type with a message that names them.</summary>
public static partial class RunConfigLoader
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Loads the config file at <paramref name="path"/>.</summary>
    public static RunConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException($"Config '{path}': file not found (expected a YAML file; see configs/ for examples).");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses YAML text; <paramref name="name"/> is used in messages.</summary>
    public static RunConfig Parse(string yaml, string name)
    {
        try
        {
            RunConfig? config = s_deserializer.Deserialize<RunConfig?>(yaml);
            config ??= new RunConfig();
            Validate(config, name);
            return config;
        }
        catch (YamlException ex)
        {
            string detail = ex.InnerException?.Message ?? ex.Message;
            Match unknown = UnknownProperty().Match(detail);
            if (unknown.Success)
            {
                throw new ConfigException($"Config '{name}' line {ex.Start.Line}: unknown key '{unknown.Groups[1].Value}' (see configs/ and 'streamseg run --help' for the keys).", ex);
            }

            throw new ConfigException($"Config '{name}' line {ex.Start.Line}, column {ex.Start.Column}: {FirstLine(detail)} (expected a value of the key's type, e.g. true/false, a number or a string).", ex);
        }
    }

    /// <summary>Checks value ranges and enumerations.</summary>
    public static void Validate(RunConfig config, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        string[] devices = ["auto", "cpu", "cuda", "tensorrt"];
        if (Array.IndexOf(devices, config.Device.ToLowerInvariant()) < 0)
        {
            throw new ConfigException($"Config '{name}': device '{config.Device}' is not one of {string.Join(", ", devices)}.");
        }

        if (config.Preset != "people")
        {
            throw new ConfigException($"Config '{name}': preset '{config.Preset}' is not known (expected people).");
        }

        if (config.Detector is not ("none" or "centernet"))
        {
            throw new ConfigException($"Config '{name}': detector '{config.Detector}' is not none or centernet.");
        }

        int[]? poseSizes = RunConfig.ParsePoseSizes(config.PoseSize);
        if (poseSizes is null || poseSizes.Length > 4 || Array.Exists(poseSizes, s => s < 128 || s > 1024 || s % 32 != 0) || poseSizes.Distinct().Count() != poseSizes.Length)
        {
            throw new ConfigException($"Config '{name}': pose_size {config.PoseSize} must be a multiple of 32 between 128 and 1024, or up to 4 different such sizes separated by commas (e.g. 512,256).");
        }

        if (config.Confidence is < 0 or > 1)
        {
            throw new ConfigException($"Config '{name}': confidence {config.Confidence} is outside 0..1.");
        }

        if (config.TrackThreshold is < 0 or > 1)
        {
            throw new ConfigException($"Config '{name}': track_threshold {config.TrackThreshold} is outside 0..1.");
        }

        if (config.Iou is < 0 or > 1)
        {
            throw new ConfigException($"Config '{name}': iou {config.Iou} is outside 0..1.");
        }

        if (config.Overlay.MaskAlpha is < 0 or > 1)
        {
            throw new ConfigException($"Config '{name}': overlay.mask_alpha {config.Overlay.MaskAlpha} is outside 0..1.");
        }

        if (config.PublishTransport is not ("udp" or "tcp"))
        {
            throw new ConfigException($"Config '{name}': publish_transport '{config.PublishTransport}' is not udp or tcp.");
        }

        if (config.Publish is not null && !config.Publish.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) && !config.Publish.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigException($"Config '{name}': publish '{Capture.UrlRedactor.Redact(config.Publish)}' is not an rtsp:// URL.");
        }

        if (config.StallTimeout is <= 0 or > 3600)
        {
            throw new ConfigException($"Config '{name}': stall_timeout {config.StallTimeout} must be between 0 and 3600 seconds.");
        }

        if (config.Threads < 0 || config.MaxFrames < 0 || config.ReconnectAttempts < 0)
        {
            throw new ConfigException($"Config '{name}': threads and max_frames must not be negative.");
        }

        if (config.Upload is not ("auto" or "uint8" or "float"))
        {
            throw new ConfigException($"Config '{name}': upload '{config.Upload}' is not one of auto, uint8, float.");
        }

        if (config.LogFormat is not ("text" or "json"))
        {
            throw new ConfigException($"Config '{name}': log_format '{config.LogFormat}' is not text or json.");
        }

        if (config.ModelConcurrency is < 0 or > 16)
        {
            throw new ConfigException($"Config '{name}': model_concurrency {config.ModelConcurrency} must be between 0 (every model side by side) and 16 (1: one after another).");
        }

        if (config.PreprocessWorkers is < 0 or > 64)
        {
            throw new ConfigException($"Config '{name}': preprocess_workers {config.PreprocessWorkers} must be between 0 (one per source, at most half the cores) and 64.");
        }

        if (config.Batch is < 0 or > 64)
        {
            throw new ConfigException($"Config '{name}': batch {config.Batch} must be between 0 (automatic) and 64.");
        }

        foreach (SourceConfig source in config.Sources)
        {
            if (string.IsNullOrWhiteSpace(source.Uri))
            {
                throw new ConfigException($"Config '{name}': a source has no 'uri' (expected a file, camera:N, /dev/videoN, a folder or a URL).");
            }

            if (source.RtspTransport is not ("auto" or "tcp" or "udp"))
            {
                throw new ConfigException($"Config '{name}': rtsp_transport '{source.RtspTransport}' is not auto, tcp or udp.");
            }
        }
    }

    private static string FirstLine(string text)
    {
        int nl = text.IndexOfAny(['\r', '\n']);
        return nl < 0 ? text : text[..nl];
    }

    [GeneratedRegex("Property '([^']+)' not found on type")]
    private static partial Regex UnknownProperty();
}
