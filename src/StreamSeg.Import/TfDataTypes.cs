namespace StreamSeg.Import;

/// <summary>Conversions between TF enum names, TF.js manifest names and ONNX element types.</summary>
internal static class TfDataTypes
{
    /// <summary>Parses a TF <c>DT_*</c> enum name.</summary>
    public static TfDataType FromTfName(string name) => name switch
    {
        "DT_FLOAT" => TfDataType.Float,
        "DT_INT32" => TfDataType.Int32,
        "DT_INT64" => TfDataType.Int64,
        "DT_BOOL" => TfDataType.Bool,
        "DT_UINT8" => TfDataType.UInt8,
        "DT_HALF" => TfDataType.Half,
        "DT_DOUBLE" => TfDataType.Double,
        _ => throw new NotSupportedException($"TensorFlow dtype '{name}' is not supported."),
    };

    /// <summary>Parses a TF.js weights-manifest dtype name.</summary>
    public static TfDataType FromManifestName(string name) => name switch
    {
        "float32" => TfDataType.Float,
        "int32" => TfDataType.Int32,
        "bool" => TfDataType.Bool,
        _ => throw new NotSupportedException($"Weight dtype '{name}' is not supported."),
    };

    /// <summary>The ONNX <c>TensorProto.DataType</c> value for a TF type.</summary>
    public static int ToOnnx(TfDataType type) => type switch
    {
        TfDataType.Float => (int)Onnx.TensorProto.Types.DataType.Float,
        TfDataType.Int32 => (int)Onnx.TensorProto.Types.DataType.Int32,
        TfDataType.Int64 => (int)Onnx.TensorProto.Types.DataType.Int64,
        TfDataType.Bool => (int)Onnx.TensorProto.Types.DataType.Bool,
        TfDataType.UInt8 => (int)Onnx.TensorProto.Types.DataType.Uint8,
        TfDataType.Half => (int)Onnx.TensorProto.Types.DataType.Float16,
        TfDataType.Double => (int)Onnx.TensorProto.Types.DataType.Double,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Whether the type is an integer type.</summary>
    public static bool IsInteger(TfDataType type) => type is TfDataType.Int32 or TfDataType.Int64 or TfDataType.UInt8;
}
