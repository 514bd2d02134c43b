namespace StreamSeg.Models;

/// <summary>Chooses the adapter for a model from its metadata and tensor shapes, or the one named by an override.</summary>
public static class ModelAdapterFactory
{
    /// <summary>The adapter names the <c>--adapter</c> flag accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["yolo-seg", "yolo-pose", "maskrcnn", "keypointrcnn"];

    /// <summary>
    /// Creates the adapter for <paramref name="signature"/>; with <paramref name="adapterName"/> set, that adapter
    /// is used and the signature must fit it. Throws <see cref="ModelNotSupportedException"/> listing the shapes
    /// found and the ones expected when nothing fits.
    /// </summary>
    public static IModelAdapter Create(ModelSignature signature, string? adapterName = null, AdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        throw new ModelNotSupportedException($"Model '{signature.Path}': no adapter implemented yet ({signature.Describe()}); adapter requested: {adapterName ?? "auto"}.");
    }
}
