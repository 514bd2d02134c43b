using System.Globalization;
using System.Text;

namespace StreamSeg.Inference;

/// <summary>
/// A TensorRT optimisation profile: for each dynamic input, the smallest, tuned-for and largest shapes, given to ONNX
/// Runtime's TensorRT provider as <c>trt_profile_min_shapes</c>, <c>trt_profile_opt_shapes</c> and
/// <c>trt_profile_max_shapes</c>, so that the engine is built once, when the session is created, for every shape the
/// run will feed (rather than built on the first frame and rebuilt when a larger one comes).
/// </summary>
/// <remarks>
/// <para>Made from a <see cref="TensorRtShapePlan"/> (<see cref="Build"/>): the shapes of every input at each source
/// frame size, at batch 1 and at the largest batch; the minimum and maximum are taken dimension by dimension, and the
/// engine is tuned for the first frame size at the largest batch.</para>
/// <para>The option strings are <c>name:d0xd1x…</c> joined by commas, inputs in ordinal order of their names, so the
/// same profile always gives the same text (<see cref="Text"/>): it is part of the engine cache key
/// (<see cref="TensorRtEngineIdentity.Profile"/>).</para>
/// </remarks>
public sealed class TensorRtProfile
{
    /// <summary>The provider option with the smallest shapes.</summary>
    public const string MinShapesOption = "trt_profile_min_shapes";

    /// <summary>The provider option with the shapes the engine is tuned for.</summary>
    public const string OptShapesOption = "trt_profile_opt_shapes";

    /// <summary>The provider option with the largest shapes.</summary>
    public const string MaxShapesOption = "trt_profile_max_shapes";

    /// <summary>Creates a profile of <paramref name="inputs"/> (at least one; each input once).</summary>
    public TensorRtProfile(IEnumerable<TensorRtShapeRange> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        List<TensorRtShapeRange> sorted = [.. inputs];
        if (sorted.Count == 0)
        {
            throw new ArgumentException("A profile needs at least one input.", nameof(inputs));
        }

        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Input, b.Input));
        for (int i = 0; i < sorted.Count; i++)
        {
            TensorRtShapeRange r = sorted[i];
            if (i > 0 && sorted[i - 1].Input == r.Input)
            {
                throw new ArgumentException($"Input '{r.Input}' is in the profile twice.", nameof(inputs));
            }

            if (r.Min.Count != r.Opt.Count || r.Min.Count != r.Max.Count)
            {
                throw new ArgumentException($"Input '{r.Input}': min, opt and max shapes differ in rank.", nameof(inputs));
            }

            for (int d = 0; d < r.Min.Count; d++)
            {
                if (r.Min[d] < 0 || r.Min[d] > r.Opt[d] || r.Opt[d] > r.Max[d])
                {
                    throw new ArgumentException($"Input '{r.Input}': dimension {d} is not min ≤ opt ≤ max ({r.Min[d]}, {r.Opt[d]}, {r.Max[d]}).", nameof(inputs));
                }
            }
        }

        Inputs = sorted;
        MinShapes = Format(sorted, static r => r.Min);
        OptShapes = Format(sorted, static r => r.Opt);
        MaxShapes = Format(sorted, static r => r.Max);
    }

    /// <summary>Gets the inputs' ranges, in ordinal order of their names.</summary>
    public IReadOnlyList<TensorRtShapeRange> Inputs { get; }

    /// <summary>Gets the value of <c>trt_profile_min_shapes</c>, for example <c>src:1x576x768x3</c>.</summary>
    public string MinShapes { get; }

    /// <summary>Gets the value of <c>trt_profile_opt_shapes</c>.</summary>
    public string OptShapes { get; }

    /// <summary>Gets the value of <c>trt_profile_max_shapes</c>.</summary>
    public string MaxShapes { get; }

    /// <summary>Gets the whole profile as one line (<c>min=…;opt=…;max=…</c>): equal profiles give equal text.</summary>
    public string Text => $"min={MinShapes};opt={OptShapes};max={MaxShapes}";

    /// <summary>
    /// Builds the profile of <paramref name="plan"/>: <paramref name="shapesAt"/> gives the shape of every dynamic input
    /// for a frame size and a batch size (the same inputs each time). Null when it gives no input (nothing to profile).
    /// </summary>
    public static TensorRtProfile? Build(TensorRtShapePlan plan, Func<FrameSize, int, IReadOnlyDictionary<string, long[]>> shapesAt)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(shapesAt);
        if (plan.FrameSizes.Count == 0)
        {
            throw new ArgumentException("The plan has no frame size.", nameof(plan));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(plan.MaxBatch, 1, nameof(plan));
        IReadOnlyDictionary<string, long[]> opt = shapesAt(plan.FrameSizes[0], plan.MaxBatch);
        if (opt.Count == 0)
        {
            return null;
        }

        var min = opt.ToDictionary(p => p.Key, p => (long[])p.Value.Clone(), StringComparer.Ordinal);
        var max = opt.ToDictionary(p => p.Key, p => (long[])p.Value.Clone(), StringComparer.Ordinal);
        foreach (FrameSize size in plan.FrameSizes)
        {
            // Every dimension grows with the batch, so batch 1 and the largest batch bound all batches between.
            foreach (int batch in (int[])[TensorRtShapePlan.MinBatch, plan.MaxBatch])
            {
                foreach ((string name, long[] shape) in shapesAt(size, batch))
                {
                    if (!min.TryGetValue(name, out long[]? lo) || lo.Length != shape.Length)
                    {
                        throw new ArgumentException($"Input '{name}' has a shape of another rank, or is missing, at {size} batch {batch}.", nameof(shapesAt));
                    }

                    long[] hi = max[name];
                    for (int d = 0; d < shape.Length; d++)
                    {
                        lo[d] = Math.Min(lo[d], shape[d]);
                        hi[d] = Math.Max(hi[d], shape[d]);
                    }
                }
            }
        }

        return new TensorRtProfile(opt.Select(p => new TensorRtShapeRange(p.Key, min[p.Key], p.Value, max[p.Key])));
    }

    /// <summary>Gets whether every input of the profile that <paramref name="shapes"/> names lies within its range, and none is missing.</summary>
    public bool Covers(IReadOnlyDictionary<string, long[]> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        foreach (TensorRtShapeRange r in Inputs)
        {
            if (!shapes.TryGetValue(r.Input, out long[]? shape) || !r.Covers(shape))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds the three profile options to <paramref name="options"/> (the TensorRT provider options).</summary>
    public void AddTo(IDictionary<string, string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options[MinShapesOption] = MinShapes;
        options[OptShapesOption] = OptShapes;
        options[MaxShapesOption] = MaxShapes;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string Format(List<TensorRtShapeRange> ranges, Func<TensorRtShapeRange, IReadOnlyList<long>> pick)
    {
        var sb = new StringBuilder();
        foreach (TensorRtShapeRange r in ranges)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(r.Input).Append(':');
            IReadOnlyList<long> shape = pick(r);
            for (int d = 0; d < shape.Count; d++)
            {
                if (d > 0)
                {
                    sb.Append('x');
                }

                sb.Append(shape[d].ToString(CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
