using StreamSeg.Import;
using StreamSeg.Models;

namespace StreamSeg.Cli;

/// <summary>
/// Maps an adapter's <see cref="InputSpec"/> to the <see cref="PixelPreprocessOptions"/> that make a model composed by
/// <see cref="PreprocessGraphComposer"/> compute, from the resized uint8 BGR image, what
/// <see cref="Preprocess.TensorWriter"/> writes today: channel order, <c>value · Scale</c> and layout. The element type
/// is the model input's own, as <see cref="InputSpec.ElementType"/> declares it.
/// </summary>
/// <remarks>
/// Lives here because the CLI is the one project that sees both StreamSeg and StreamSeg.Import. Resizing, letterbox
/// and padding (<see cref="InputSpec.PadValue"/>, a byte) stay on the CPU and are not part of the mapping. For int32
/// inputs the graph truncates <c>PadValue · Scale</c> where TensorWriter rounds it; they agree for every adapter today
/// (MoveNet: scale 1).
/// </remarks>
internal static class PixelPreprocessMapping
{
    /// <summary>Gets the options equivalent to <paramref name="spec"/>'s pixel math.</summary>
    public static PixelPreprocessOptions FromInputSpec(InputSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new PixelPreprocessOptions
        {
            InputName = spec.Name,
            Layout = spec.Layout switch
            {
                TensorLayout.Nchw => PixelLayout.Nchw,
                TensorLayout.Nhwc => PixelLayout.Nhwc,
                TensorLayout.Chw => PixelLayout.Chw,
                _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Layout, "Unknown tensor layout."),
            },
            Rgb = spec.Rgb,
            Scale = [spec.Scale],
        };
    }
}
