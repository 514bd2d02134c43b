using Microsoft.Extensions.Logging;
using OpenCvSharp;
using StreamSeg.Inference;

namespace StreamSeg.Cli.Run;

/// <summary>
/// Gives OpenCV one thread when every model runs on the CPU: the models' intra-op threads already fill the cores, and
/// OpenCV's parallel loops (the resizes and conversions of preprocess, the overlay's blends) would split each small
/// job over the same cores and wait actively for each other, taking time from the model on the critical lane. On a GPU
/// provider the cores are free and OpenCV keeps its default. <c>OPENCV_FOR_THREADS_NUM</c>, when set, wins.
/// </summary>
internal static partial class OpenCvThreads
{
    /// <summary>The environment variable OpenCV reads for its thread count; set, it is left alone.</summary>
    public const string EnvironmentVariable = "OPENCV_FOR_THREADS_NUM";

    /// <summary>Gets the OpenCV thread count for <paramref name="providers"/>: 1 when all are the CPU, else null (OpenCV's default).</summary>
    public static int? For(IReadOnlyList<string> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        if (providers.Count == 0 || Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 })
        {
            return null;
        }

        foreach (string provider in providers)
        {
            if (!string.Equals(provider, "CPU", StringComparison.Ordinal))
            {
                return null;
            }
        }

        return 1;
    }

    /// <summary>Applies <see cref="For"/> to the providers of <paramref name="models"/> (process-wide) and logs it.</summary>
    public static void Apply(IReadOnlyList<OnnxModel> models, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(logger);
        var providers = new string[models.Count];
        for (int i = 0; i < providers.Length; i++)
        {
            providers[i] = models[i].Provider;
        }

        if (For(providers) is int threads)
        {
            Cv2.SetNumThreads(threads);
            LogOneThread(logger, EnvironmentVariable);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "OpenCV: one thread (the CPU models' threads fill the cores; {Variable} overrides)")]
    private static partial void LogOneThread(ILogger logger, string variable);
}
