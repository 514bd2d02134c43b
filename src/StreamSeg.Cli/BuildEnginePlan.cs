using StreamSeg.Cli.Run;
using StreamSeg.Configuration;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary>
/// Which engines <c>streamseg models build-engine</c> builds for one model: one per input the run would feed it. The
/// people preset runs MoveNet once per <c>--pose-size</c> (default 512,256), each size a session of its own with its
/// own engine, so the command builds one engine for every size of the list; a model whose input does not depend on the
/// pose size (RVM, YOLO, CenterNet …) gets one engine, whatever the list.
/// </summary>
internal static class BuildEnginePlan
{
    /// <summary>
    /// Gets the adapter settings to build with, in the order of <see cref="RunConfig.PoseSizes"/>: one per distinct
    /// input <paramref name="inputFor"/> gives (the input the adapter asks for with those settings), so that sizes the
    /// model ignores do not build the same engine twice.
    /// </summary>
    /// <param name="config">The bound options (<c>--pose-size</c>, thresholds).</param>
    /// <param name="inputFor">The model's input under the given adapter settings (read on the CPU, nothing built).</param>
    public static IReadOnlyList<AdapterOptions> Targets(RunConfig config, Func<AdapterOptions, InputSpec> inputFor)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(inputFor);
        AdapterOptions first = ModelLoader.AdapterOptionsFor(config);
        IReadOnlyList<int> sizes = config.PoseSizes;
        if (sizes.Count == 0)
        {
            return [first];
        }

        var targets = new List<AdapterOptions>(sizes.Count);
        var inputs = new List<InputSpec>(sizes.Count);
        foreach (int size in sizes)
        {
            AdapterOptions options = first with { LongSide = size };
            InputSpec input = inputFor(options);
            if (!inputs.Contains(input))
            {
                inputs.Add(input);
                targets.Add(options);
            }
        }

        return targets;
    }
}
