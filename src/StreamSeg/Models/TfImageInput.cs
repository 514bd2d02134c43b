using System.Buffers;
using StreamSeg.Decode;
using StreamSeg.Preprocess;

namespace StreamSeg.Models;

/// <summary>
/// What the TF.js-converted image models share: (CenterNet, MediaPipe selfie) one float NHWC <c>[1,H,W,3]</c> RGB
/// input, the frame stretched to it with TensorFlow's asymmetric bilinear; (selfie, RVM) an alpha output
/// <c>[1,H,W,1]</c> read back through the stretch.
/// </summary>
internal static class TfImageInput
{
    /// <summary>Gets why the signature's input is not one float NHWC <c>[1,H,W,3]</c>, or null when it is.</summary>
    public static string? CheckFloatNhwc(ModelSignature signature) =>
        signature.Inputs.Count != 1 || !UltralyticsMetadata.IsFloat(signature.Inputs[0]) ||
        !MoveNetMultiPoseAdapter.ShapeIs(signature.Inputs[0].Shape, 1, -1, -1, 3)
            ? "expects one float NHWC input [1,H,W,3]."
            : null;

    /// <summary>
    /// Creates the stretch input spec for <paramref name="input"/>: its own size, or <paramref name="defaultSize"/>
    /// square where a dimension is dynamic; pixel values times <paramref name="scale"/>.
    /// </summary>
    public static InputSpec Create(TensorSignature input, int defaultSize, float scale)
    {
        int h = input.Shape[1] > 0 ? (int)input.Shape[1] : defaultSize;
        int w = input.Shape[2] > 0 ? (int)input.Shape[2] : defaultSize;
        return new InputSpec(input.Name, w, h, Letterbox: false, PadValue: 0, Rgb: true, Scale: scale, Layout: TensorLayout.Nhwc)
        {
            Resize = ResizeMode.TfAsymmetric,
        };
    }

    /// <summary>
    /// Copies an alpha output <c>[1,H,W,1]</c> (shape checked by the caller) into a pooled <see cref="Matte"/> whose
    /// transform maps the frame onto the output: the input's when the output has the input's size, else a stretch.
    /// </summary>
    public static Matte ToMatte(RawTensor alpha, in LetterboxTransform transform, ArrayPool<float> pool)
    {
        int h = (int)alpha.Shape[1];
        int w = (int)alpha.Shape[2];
        LetterboxTransform toMatte = w == transform.InputWidth && h == transform.InputHeight
            ? transform
            : LetterboxTransform.Stretch(transform.SourceWidth, transform.SourceHeight, w, h);
        return new Matte(alpha.Span, w, h, toMatte, pool);
    }
}
