using Google.Protobuf;
using Onnx;

namespace StreamSeg.Import;

/// <summary>
/// Converts a TensorFlow.js graph model (<c>model.json</c> plus weight shards) into an ONNX model (opset 17, IR 8)
/// that ONNX Runtime can run. Graph inputs keep the TF.js placeholder names, dtypes and dynamic dimensions; graph
/// outputs are named after the signature keys (without a trailing <c>:0</c>) and stay NHWC.
/// </summary>
public sealed class TfjsToOnnxConverter
{
    private readonly ConverterOptions _options;

    /// <summary>Creates a converter with default options.</summary>
    public TfjsToOnnxConverter()
        : this(new ConverterOptions())
    {
    }

    /// <summary>Creates a converter with the given options.</summary>
    public TfjsToOnnxConverter(ConverterOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The summary of the last conversion (ops used, inputs and outputs), or <c>null</c> before the first.</summary>
    public ConversionSummary? LastSummary { get; private set; }

    /// <summary>Converts <paramref name="modelJsonPath"/> to an in-memory ONNX model.</summary>
    /// <exception cref="NotSupportedException">The graph uses an op or attribute the importer does not support.</exception>
    /// <exception cref="InvalidDataException">The model files are malformed.</exception>
    public ModelProto Convert(string modelJsonPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelJsonPath);
        TfjsModel model = TfjsModel.Load(modelJsonPath);
        var converter = new GraphConverter(model, _options);
        ModelProto result = converter.Convert();
        LastSummary = converter.Summary;
        return result;
    }

    /// <summary>Converts <paramref name="modelJsonPath"/> and writes the ONNX model to <paramref name="onnxOutputPath"/>.</summary>
    public void Convert(string modelJsonPath, string onnxOutputPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxOutputPath);
        Save(Convert(modelJsonPath), onnxOutputPath);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> in protobuf binary form.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using FileStream stream = File.Create(path);
        model.WriteTo(stream);
    }
}
