using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

/// <summary>Hand-made signatures and tensors for adapter tests.</summary>
internal static class TestSignatures
{
    public static TensorSignature Float(string name, params long[] shape) => new(name, "Float", shape);

    public static TensorSignature Int64(string name, params long[] shape) => new(name, "Int64", shape);

    public static ModelSignature Make(TensorSignature[] inputs, TensorSignature[] outputs, Dictionary<string, string>? metadata = null) =>
        new("test.onnx", inputs, outputs, metadata ?? []);

    public static ModelSignature YoloSeg(int size, int channels, int anchors, int nm, int mh, int mw, Dictionary<string, string>? metadata = null) =>
        Make([Float("images", 1, 3, size, size)], [Float("output0", 1, channels, anchors), Float("output1", 1, nm, mh, mw)], metadata);

    public static ModelSignature YoloPose(long size, int channels, int anchors, Dictionary<string, string>? metadata = null) =>
        Make([Float("images", 1, 3, size, size)], [Float("output0", 1, channels, anchors)], metadata);

    public static ModelSignature MaskRcnn() =>
        Make(
            [Float("images_tensors", 3, -1, -1)],
            [Float("boxes", -1, 4), Int64("labels", -1), Float("scores", -1), Float("masks", -1, 1, -1, -1)]);

    public static ModelSignature KeypointRcnn() =>
        Make(
            [Float("images", 3, -1, -1)],
            [Float("boxes", -1, 4), Int64("labels", -1), Float("scores", -1), Float("keypoints", -1, 17, 3), Float("3327", -1, 17)]);

    /// <summary>Builds a channel-major [1,C,N] head from per-anchor columns.</summary>
    public static RawTensor Head(string name, int channels, int anchors, params (int Anchor, float[] Column)[] columns)
    {
        var data = new float[channels * anchors];
        foreach ((int anchor, float[] column) in columns)
        {
            for (int c = 0; c < column.Length; c++)
            {
                data[(c * anchors) + anchor] = column[c];
            }
        }

        return new RawTensor(name, [1, channels, anchors], data);
    }
}
