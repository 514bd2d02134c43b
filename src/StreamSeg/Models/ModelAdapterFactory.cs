using System.Text;

namespace StreamSeg.Models;

/// <summary>Chooses the adapter for a model from its metadata and tensor shapes, or the one named by an override.</summary>
/// <remarks>
/// Automatic choice: an Ultralytics <c>task</c> entry (<c>segment</c>, <c>pose</c>) picks the YOLO adapter, which must
/// then fit; another task (<c>detect</c>, <c>classify</c>, <c>obb</c>…) is refused. Without a task the shapes decide:
/// two outputs <c>[1,C,N]</c> + <c>[1,32,h,w]</c> → yolo-seg; one output <c>[1,C,N]</c> with <c>kpt_shape</c> (or C = 56)
/// → yolo-pose; a <c>[3,H,W]</c> input with 4 outputs ending in masks → maskrcnn, with 5 ending in keypoints →
/// keypointrcnn; TF.js imports (NHWC): an int32 <c>[1,H,W,3]</c> input with a <c>[1,6,56]</c> output → movenet-multipose,
/// <c>src</c> + <c>r1i</c>…<c>r4i</c> + <c>downsample_ratio</c> → rvm, a float <c>[1,H,W,3]</c> input with one
/// <c>[1,H,W,1]</c> output → selfie, a <c>tower_0/detections</c> <c>[1,N,6]</c> output → centernet. When nothing fits, <see cref="ModelNotSupportedException"/> names the model, the tensors found,
/// why each adapter refused and what each expects.
/// </remarks>
public static class ModelAdapterFactory
{
    /// <summary>The adapter names the <c>--adapter</c> flag accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [
            YoloSegAdapter.AdapterName, YoloPoseAdapter.AdapterName, MaskRcnnAdapter.AdapterName, KeypointRcnnAdapter.AdapterName,
            MoveNetMultiPoseAdapter.AdapterName, RvmMatteAdapter.AdapterName, SelfieAdapter.AdapterName, CenterNetAdapter.AdapterName,
        ];

    /// <summary>
    /// Creates the adapter for <paramref name="signature"/>; with <paramref name="adapterName"/> set, that adapter
    /// is used and the signature must fit it. Throws <see cref="ModelNotSupportedException"/> listing the shapes
    /// found and the ones expected when nothing fits.
    /// </summary>
    public static IModelAdapter Create(ModelSignature signature, string? adapterName = null, AdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        options ??= AdapterOptions.Default;
        options.Validate();
        if (!string.IsNullOrWhiteSpace(adapterName) && !string.Equals(adapterName, "auto", StringComparison.OrdinalIgnoreCase))
        {
            string name = adapterName.Trim().ToLowerInvariant();
            if (!Names.Contains(name))
            {
                throw new ArgumentException($"Unknown adapter '{adapterName}'; known adapters: {string.Join(", ", Names)} (or auto).", nameof(adapterName));
            }

            if (!TryMatch(name, signature, out string? reason))
            {
                throw new ModelNotSupportedException(
                    $"Model '{signature.Path}' does not fit adapter '{name}': {reason}{Environment.NewLine}" +
                    $"Found: {signature.Describe()}.{Environment.NewLine}Expected by {name}: {ExpectedSignature(name)}.");
            }

            return Construct(name, signature, options);
        }

        // An Ultralytics export says its task in its metadata: that names the adapter, or the model is refused.
        string? task = UltralyticsMetadata.Task(signature);
        if (task is not null)
        {
            string byTask = task switch
            {
                "segment" => YoloSegAdapter.AdapterName,
                "pose" => YoloPoseAdapter.AdapterName,
                _ => throw Refuse(signature, $"metadata task '{task}' has no adapter (supported Ultralytics tasks: segment, pose)."),
            };
            if (TryMatch(byTask, signature, out string? reason))
            {
                return Construct(byTask, signature, options);
            }

            throw Refuse(signature, $"metadata task '{task}' names {byTask}, but {reason}");
        }

        var reasons = new StringBuilder();
        foreach (string name in Names)
        {
            if (TryMatch(name, signature, out string? reason))
            {
                return Construct(name, signature, options);
            }

            reasons.Append(Environment.NewLine).Append("  ").Append(name).Append(": ").Append(reason);
        }

        throw Refuse(signature, "no adapter fits:" + reasons);
    }

    /// <summary>Gets the signature an adapter expects, as text.</summary>
    public static string ExpectedSignature(string adapterName) => adapterName switch
    {
        YoloSegAdapter.AdapterName => YoloSegAdapter.ExpectedSignature,
        YoloPoseAdapter.AdapterName => YoloPoseAdapter.ExpectedSignature,
        MaskRcnnAdapter.AdapterName => MaskRcnnAdapter.ExpectedSignature,
        KeypointRcnnAdapter.AdapterName => KeypointRcnnAdapter.ExpectedSignature,
        MoveNetMultiPoseAdapter.AdapterName => MoveNetMultiPoseAdapter.ExpectedSignature,
        RvmMatteAdapter.AdapterName => RvmMatteAdapter.ExpectedSignature,
        SelfieAdapter.AdapterName => SelfieAdapter.ExpectedSignature,
        CenterNetAdapter.AdapterName => CenterNetAdapter.ExpectedSignature,
        _ => throw new ArgumentException($"Unknown adapter '{adapterName}'.", nameof(adapterName)),
    };

    private static bool TryMatch(string name, ModelSignature signature, out string? reason)
    {
        try
        {
            return name switch
            {
                YoloSegAdapter.AdapterName => YoloSegAdapter.TryMatch(signature, out reason),
                YoloPoseAdapter.AdapterName => YoloPoseAdapter.TryMatch(signature, out reason),
                MaskRcnnAdapter.AdapterName => MaskRcnnAdapter.TryMatch(signature, out reason),
                KeypointRcnnAdapter.AdapterName => KeypointRcnnAdapter.TryMatch(signature, out reason),
                MoveNetMultiPoseAdapter.AdapterName => MoveNetMultiPoseAdapter.TryMatch(signature, out reason),
                RvmMatteAdapter.AdapterName => RvmMatteAdapter.TryMatch(signature, out reason),
                SelfieAdapter.AdapterName => SelfieAdapter.TryMatch(signature, out reason),
                _ => CenterNetAdapter.TryMatch(signature, out reason),
            };
        }
        catch (FormatException ex)
        {
            // Bad metadata (names, imgsz, kpt_shape) makes the model unusable by that adapter; say which entry.
            reason = ex.Message;
            return false;
        }
    }

    private static IModelAdapter Construct(string name, ModelSignature signature, AdapterOptions options) => name switch
    {
        YoloSegAdapter.AdapterName => new YoloSegAdapter(signature, options),
        YoloPoseAdapter.AdapterName => new YoloPoseAdapter(signature, options),
        MaskRcnnAdapter.AdapterName => new MaskRcnnAdapter(signature, options),
        KeypointRcnnAdapter.AdapterName => new KeypointRcnnAdapter(signature, options),
        MoveNetMultiPoseAdapter.AdapterName => new MoveNetMultiPoseAdapter(signature, options),
        RvmMatteAdapter.AdapterName => new RvmMatteAdapter(signature, options),
        SelfieAdapter.AdapterName => new SelfieAdapter(signature, options),
        _ => new CenterNetAdapter(signature, options),
    };

    private static ModelNotSupportedException Refuse(ModelSignature signature, string why)
    {
        var sb = new StringBuilder();
        sb.Append("Model '").Append(signature.Path).Append("' is not supported: ").Append(why).AppendLine();
        sb.Append("Found: ").Append(signature.Describe()).Append('.').AppendLine();
        sb.Append("Expected signatures:");
        foreach (string name in Names)
        {
            sb.AppendLine().Append("  ").Append(name).Append(": ").Append(ExpectedSignature(name));
        }

        return new ModelNotSupportedException(sb.ToString());
    }
}
