using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;

namespace StreamSeg.Tests.Models;

public class KeypointRcnnAdapterTests
{
    [Theory]
    [InlineData(0f, 0.5f)]
    [InlineData(2f, 0.880797f)]
    [InlineData(-3f, 0.0474259f)]
    [InlineData(40f, 1f)]
    public void KeypointConfidence_IsSigmoidOfLogit(float logit, float expected)
    {
        Assert.Equal(expected, KeypointRcnnAdapter.KeypointConfidence(logit), 5);
    }

    [Fact]
    public void Decode_BindsOutputsByOrderAndConvertsScores()
    {
        const int K = 17;
        var kps = new float[2 * K * 3];
        var logits = new float[2 * K];
        for (int p = 0; p < K; p++)
        {
            kps[p * 3] = 10 + p;
            kps[(p * 3) + 1] = 20 + p;
            kps[(p * 3) + 2] = 1;
            logits[p] = p - 8;
        }

        kps[0] = 150; // beyond the 100-wide frame: clipped
        RawTensor[] outputs =
        [
            new("a", [2, 4], new float[] { 5, 6, 50, 60, 0, 0, 1, 1 }),
            new("b", [2], new float[] { 1, 1 }),
            new("c", [2], new float[] { 0.8f, 0.1f }),
            new("d", [2, K, 3], kps),
            new("e", [2, K], logits),
        ];
        var adapter = new KeypointRcnnAdapter(TestSignatures.KeypointRcnn(), AdapterOptions.Default);
        Instances result = adapter.Decode(outputs, LetterboxTransform.Identity(100, 80));

        Assert.Equal(1, result.Count);
        Assert.Equal(new BoxF(5, 6, 50, 60), result.Boxes[0]);
        Assert.Equal("person", result.ClassName(result.ClassIds[0]));
        Assert.Equal(K, result.KeypointsPerInstance);
        Keypoint first = result.KeypointsOf(0)[0];
        Assert.Equal((100f, 20f), (first.X, first.Y));
        Assert.Equal(KeypointRcnnAdapter.KeypointConfidence(-8), first.Score);
        Assert.Equal(new Keypoint(18, 28, 0.5f), result.KeypointsOf(0)[8]);
    }
}
