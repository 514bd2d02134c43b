using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes Robust Video Matting (MobileNetV3, as imported from Human's TF.js model keeping its names and NHWC
/// layout): inputs <c>src</c> float <c>[1,H,W,3]</c> RGB 0..1 at the frame's own size, recurrent states
/// <c>r1i</c>…<c>r4i</c> and the scalar <c>downsample_ratio</c>; outputs <c>fgr</c>, <c>pha</c> <c>[1,H,W,1]</c>
/// (alpha) and the next states <c>r1o</c>…<c>r4o</c> (TF.js lists them as <c>Identity</c>…<c>Identity_5</c>:
/// fgr, pha, r1o, r2o, r3o, r4o). The result is a <see cref="Matte"/> at frame size.
/// </summary>
/// <remarks>
/// <para>State: per source, the first frame gets a scalar 0 for every state (the references' and RVM's TF.js demo's
/// start), each later frame the previous frame's <c>r*o</c>; a discontinuity (dropped frames), a new source or a new
/// frame size starts again from zero. The runner keeps the states (see <see cref="IRecurrentAdapter"/>).</para>
/// <para><c>downsample_ratio</c>: <see cref="AdapterOptions.DownsampleRatio"/> or, by default,
/// <see cref="DownsampleRatioFor"/>: RVM advises a downsampled long side of 256–512 px; we aim for 384 and round to
/// eighths, which gives 0.5 for 768×576 (the references' ratio), 0.25 for 1920×1080 and 0.125 for 4K. Frames whose
/// long side is at most 409 px get 1, which takes the graph's <c>downsample_ratio == 1</c> branch (TF1
/// Switch/Merge), a branch the references do not cover.</para>
/// </remarks>
public sealed class RvmMatteAdapter : ModelAdapter, IMatteAdapter, IRecurrentAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "rvm";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "6 inputs: src [1,H,W,3] float (NHWC RGB 0..1), r1i, r2i, r3i, r4i (float, any rank), downsample_ratio (float scalar); " +
        "6 float outputs fgr [1,H,W,3], pha [1,H,W,1], r1o..r4o [1,h,w,16|20|40|64] (or TF.js's Identity, Identity_1..Identity_5 in that order)";

    private const string SourceName = "src";
    private const string RatioName = "downsample_ratio";

    // Output names as the signature defines them and as TF.js lists them (model.outputs), in the same order.
    private static readonly string[] s_outputNames = ["fgr", "pha", "r1o", "r2o", "r3o", "r4o"];
    private static readonly string[] s_tfjsOutputNames = ["Identity", "Identity_1", "Identity_2", "Identity_3", "Identity_4", "Identity_5"];
    private static readonly string[] s_stateInputs = ["r1i", "r2i", "r3i", "r4i"];
    private static readonly string[] s_names = ["person"];
    private static readonly long[] s_stateChannels = [16, 20, 40, 64];

    private readonly float? _fixedRatio;
    private readonly int _phaIndex;
    private readonly int _fgrIndex;
    private readonly ConcurrentDictionary<(int W, int H), RawTensor[]> _extra = new();

    // Every frame's matte is rented from here and returned when its frame is released (see Matte).
    private readonly ArrayPool<float> _mattePool = Matte.CreatePool();

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public RvmMatteAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Matte, signature, options, TryMatch)
    {
        ClassNames = s_names;
        _fixedRatio = options.DownsampleRatio;
        _phaIndex = OutputIndex(signature, 1);
        _fgrIndex = OutputIndex(signature, 0);
        var states = new RecurrentStatePair[s_stateInputs.Length];
        for (int i = 0; i < states.Length; i++)
        {
            states[i] = new RecurrentStatePair(s_stateInputs[i], signature.Outputs[OutputIndex(signature, 2 + i)].Name);
        }

        States = states;

        // TF.js declares the states with unknown rank and the references start from a scalar 0; an import that
        // declares them rank 4 gets [1,1,1,1] zeros instead, which the graph's BroadcastTo expands the same way.
        InitialStateShape = FindInput(signature, s_stateInputs[0])!.Shape.Length == 4 ? [1, 1, 1, 1] : [];
        Input = new InputSpec(SourceName, 0, 0, Letterbox: false, PadValue: 0, Rgb: true, Scale: 1f / 255f, Layout: TensorLayout.Nhwc);
    }

    /// <inheritdoc/>
    public IReadOnlyList<RecurrentStatePair> States { get; }

    /// <inheritdoc/>
    public IReadOnlyList<long> InitialStateShape { get; }

    /// <summary>
    /// Chooses <c>downsample_ratio</c> for a frame: 384 / long side, rounded to the nearest eighth, within [1/8, 1]
    /// (768×576 → 0.5, 1280×720 → 0.25, 1920×1080 → 0.25, 3840×2160 → 0.125, 384×288 → 1).
    /// </summary>
    public static float DownsampleRatioFor(int frameWidth, int frameHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        double eighths = Math.Round(8.0 * 384 / Math.Max(frameWidth, frameHeight), MidpointRounding.AwayFromZero);
        return (float)(Math.Clamp(eighths, 1, 8) / 8);
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = null;
        TensorSignature? src = FindInput(signature, SourceName);
        if (src is null || !UltralyticsMetadata.IsFloat(src) || !MoveNetMultiPoseAdapter.ShapeIs(src.Shape, -1, -1, -1, 3))
        {
            reason = "expects a float input 'src' [1,H,W,3].";
            return false;
        }

        foreach (string name in s_stateInputs)
        {
            if (FindInput(signature, name) is null)
            {
                reason = $"expects recurrent input '{name}'.";
                return false;
            }
        }

        if (FindInput(signature, RatioName) is null || signature.Inputs.Count != 6)
        {
            reason = "expects 6 inputs: src, r1i..r4i and downsample_ratio.";
            return false;
        }

        for (int i = 0; i < s_outputNames.Length; i++)
        {
            if (OutputIndex(signature, i) < 0)
            {
                reason = $"expects output '{s_outputNames[i]}' (or '{s_tfjsOutputNames[i]}').";
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public IReadOnlyList<RawTensor> ExtraInputs(int frameWidth, int frameHeight) =>
        _extra.GetOrAdd((frameWidth, frameHeight), static (size, fixedRatio) =>
            [new RawTensor(RatioName, [], new[] { fixedRatio ?? DownsampleRatioFor(size.W, size.H) })], _fixedRatio);

    /// <inheritdoc/>
    /// <remarks>
    /// RVM's states are NHWC <c>[1,h,w,C]</c> at 1/2, 1/4, 1/8 and 1/16 of the downsampled frame (16, 20, 40 and 64
    /// channels); the downsampled frame is the frame times <c>downsample_ratio</c>, rounded down, and each stride-2
    /// step rounds up (TF's SAME padding). Checked against the published model's state outputs at several sizes.
    /// </remarks>
    public IReadOnlyList<long>? StateShape(int index, int frameWidth, int frameHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, s_stateChannels.Length);
        float ratio = _fixedRatio ?? DownsampleRatioFor(frameWidth, frameHeight);
        long h = (long)(frameHeight * ratio);
        long w = (long)(frameWidth * ratio);
        for (int i = 0; i <= index; i++)
        {
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }

        return [1, h, w, s_stateChannels[index]];
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform) => Instances.Empty;

    /// <inheritdoc/>
    /// <remarks>Every output of RVM has the frame's size (or a fixed fraction of it for the states).</remarks>
    public bool OutputShapesFollowInput => true;

    /// <inheritdoc/>
    /// <remarks>The foreground colours (<c>fgr</c>, three floats per pixel) are not used: only the alpha makes the masks.</remarks>
    public bool NeedsOutput(int index) => index != _fgrIndex;

    /// <inheritdoc/>
    public Matte DecodeMatte(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count <= _phaIndex)
        {
            throw new ArgumentException($"{AdapterName}: got {outputs.Count} outputs; 'pha' is output {_phaIndex}.", nameof(outputs));
        }

        RawTensor pha = outputs[_phaIndex];
        if (pha.Shape.Length != 4 || pha.Shape[3] != 1)
        {
            throw new ArgumentException($"{AdapterName}: output '{pha.Name}' has shape {pha.ShapeText}; expected [1,H,W,1].", nameof(outputs));
        }

        return TfImageInput.ToMatte(pha, transform, _mattePool);
    }

    private static TensorSignature? FindInput(ModelSignature signature, string name)
    {
        foreach (TensorSignature t in signature.Inputs)
        {
            if (t.Name == name || t.Name == name + ":0")
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>Finds output <paramref name="which"/> (0 fgr … 5 r4o) by its signature name or its TF.js name.</summary>
    private static int OutputIndex(ModelSignature signature, int which)
    {
        for (int i = 0; i < signature.Outputs.Count; i++)
        {
            string n = signature.Outputs[i].Name;
            if (n.EndsWith(":0", StringComparison.Ordinal))
            {
                n = n[..^2];
            }

            if (n == s_outputNames[which] || n == s_tfjsOutputNames[which])
            {
                return i;
            }
        }

        return -1;
    }
}
