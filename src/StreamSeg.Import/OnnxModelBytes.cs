using Google.Protobuf;
using Onnx;

namespace StreamSeg.Import;

/// <summary>Reads ONNX model bytes (a model held in memory, as the load-time graph rewrites take it).</summary>
internal static class OnnxModelBytes
{
    /// <summary>Parses <paramref name="model"/> as an ONNX <see cref="ModelProto"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
    public static ModelProto Parse(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try
        {
            return ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"The {model.Length} bytes are not an ONNX model ({ex.Message}).", ex);
        }
    }
}
