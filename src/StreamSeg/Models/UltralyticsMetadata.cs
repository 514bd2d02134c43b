namespace StreamSeg.Models;

/// <summary>Reads the metadata entries Ultralytics exports write (<c>task</c>, <c>names</c>, <c>imgsz</c>, <c>kpt_shape</c>).</summary>
internal static class UltralyticsMetadata
{
    /// <summary>The input size used when neither the model shape nor <c>imgsz</c> gives one.</summary>
    public const int DefaultImageSize = 640;

    public static string? Task(ModelSignature signature) =>
        signature.Metadata.TryGetValue("task", out string? task) ? task.Trim().Trim('\'', '"') : null;

    public static string[]? Names(ModelSignature signature) =>
        signature.Metadata.TryGetValue("names", out string? text) ? PythonLiteral.ParseNames(text) : null;

    public static int[]? KptShape(ModelSignature signature)
    {
        if (!signature.Metadata.TryGetValue("kpt_shape", out string? text))
        {
            return null;
        }

        int[] shape = PythonLiteral.ParseIntList(text, "kpt_shape");
        if (shape.Length != 2 || shape[0] <= 0 || shape[1] is not (2 or 3))
        {
            throw new FormatException($"Model metadata 'kpt_shape': expected [K, 2] or [K, 3]; got \"{text}\".");
        }

        return shape;
    }

    /// <summary>
    /// Gets the input (height, width): the model's static shape, else <c>imgsz</c> (<c>[h, w]</c> or one int), else 640.
    /// </summary>
    public static (int Height, int Width) InputSize(ModelSignature signature, TensorSignature input)
    {
        long h = input.Shape.Length == 4 ? input.Shape[2] : -1;
        long w = input.Shape.Length == 4 ? input.Shape[3] : -1;
        if (h > 0 && w > 0)
        {
            return ((int)h, (int)w);
        }

        if (signature.Metadata.TryGetValue("imgsz", out string? text))
        {
            int[] size = PythonLiteral.ParseIntList(text, "imgsz");
            if (size.Length is 1 or 2 && size[0] > 0 && size[^1] > 0)
            {
                return (size[0], size[^1]);
            }

            throw new FormatException($"Model metadata 'imgsz': expected [h, w] or one int; got \"{text}\".");
        }

        return (DefaultImageSize, DefaultImageSize);
    }

    /// <summary>Gets whether a dimension is dynamic (-1) or equals <paramref name="expected"/>.</summary>
    public static bool DimIs(long actual, long expected) => actual < 0 || actual == expected;

    /// <summary>Gets whether an element type is a float type the pipeline can copy out as float32.</summary>
    public static bool IsFloat(TensorSignature tensor) =>
        tensor.ElementType is "Float" or "Float16" or "float" or "float16" or "tensor(float)" or "tensor(float16)";
}
