using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace StreamSeg.Import.Tests;

/// <summary>Converts a hand-built graph and runs it on ONNX Runtime.</summary>
internal static class OpTestHarness
{
    public static Dictionary<string, (float[] Data, int[] Shape)> Run(TfjsGraphBuilder graph, params (string Name, float[] Data, int[] Shape)[] inputs)
    {
        Onnx.ModelProto model = new TfjsToOnnxConverter().Convert(graph.Save());
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Data, i.Shape))).ToList();
        return OrtRunner.Run(model, values);
    }

    public static float[] Iota(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    public static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
