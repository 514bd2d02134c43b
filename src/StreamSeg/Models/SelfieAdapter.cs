using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// Decodes MediaPipe Selfie Segmentation (the landscape-free 256×256 variant from PINTO's model zoo, as imported from
/// TF.js): input <c>input_1</c> float <c>[1,256,256,3]</c> RGB 0..1, output <c>activation_10</c> <c>[1,256,256,1]</c>,
/// the person probability per input pixel. The result is a <see cref="Matte"/> at 256×256 with the stretch transform
/// from the frame; <see cref="IModelAdapter.Decode"/> gives no instances. An output of unknown rank (TF.js declares
/// none) is accepted and checked when decoding.
/// </summary>
/// <remarks>
/// The frame is stretched to the input (no padding, as Human does) with TensorFlow's asymmetric bilinear, rounded to
/// 8 bits, exactly as the references prepared it. The output is already a probability in [0, 1] (the references'
/// minimum and maximum are 0 and 1); it is copied as is.
/// </remarks>
public sealed class SelfieAdapter : ModelAdapter, IMatteAdapter
{
    /// <summary>The adapter's name.</summary>
    public const string AdapterName = "selfie";

    /// <summary>The signature this adapter expects, for messages.</summary>
    public const string ExpectedSignature =
        "1 input [1,H,W,3] float (input_1; NHWC RGB 0..1, 256x256); 1 float output [1,H,W,1] (activation_10; person probability)";

    private static readonly string[] s_names = ["person"];

    // Every frame's matte is rented from here and returned when its frame is released (see Matte).
    private readonly ArrayPool<float> _mattePool = Matte.CreatePool();

    /// <summary>Creates the adapter for <paramref name="signature"/>, which must fit (see <see cref="TryMatch"/>).</summary>
    public SelfieAdapter(ModelSignature signature, AdapterOptions options)
        : base(AdapterName, ModelTask.Matte, signature, options, TryMatch)
    {
        ClassNames = s_names;
        Input = TfImageInput.Create(signature.Inputs[0], 256, 1f / 255f);
    }

    /// <summary>Gets whether <paramref name="signature"/> fits this adapter; otherwise says why.</summary>
    public static bool TryMatch(ModelSignature signature, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(signature);
        reason = TfImageInput.CheckFloatNhwc(signature);
        if (reason is not null)
        {
            return false;
        }

        if (signature.Outputs.Count != 1 || !UltralyticsMetadata.IsFloat(signature.Outputs[0]) ||
            !(signature.Outputs[0].Shape.Length == 0 || MoveNetMultiPoseAdapter.ShapeIs(signature.Outputs[0].Shape, 1, -1, -1, 1)))
        {
            reason = "expects one float output [1,H,W,1].";
            return false;
        }

        return true;
    }

    /// <inheritdoc/>
    public override Instances Decode(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform) => Instances.Empty;

    /// <inheritdoc/>
    public Matte DecodeMatte(IReadOnlyList<RawTensor> outputs, in LetterboxTransform transform)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 1 || outputs[0].Shape.Length != 4 || outputs[0].Shape[3] != 1)
        {
            throw new ArgumentException($"{AdapterName}: expected one output [1,H,W,1].", nameof(outputs));
        }

        return TfImageInput.ToMatte(outputs[0], transform, _mattePool);
    }
}
