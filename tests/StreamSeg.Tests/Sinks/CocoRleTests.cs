using StreamSeg.Decode;
using StreamSeg.Sinks;

namespace StreamSeg.Tests.Sinks;

public class CocoRleTests
{
    // Hand-checked: column-major scan of
    //   0 1 0
    //   1 1 0
    //   0 0 1
    // is 0,1,0 | 1,1,0 | 0,0,1 → runs 1,1,1,2,3,1.
    private static readonly byte[] s_threeByThree = [0, 1, 0, 1, 1, 0, 0, 0, 1];

    [Fact]
    public void Encode_ThreeByThree_GivesColumnMajorRunsStartingWithZeros()
    {
        Assert.Equal([1, 1, 1, 2, 3, 1], CocoRle.Encode(s_threeByThree, 3, 3));
    }

    [Fact]
    public void Encode_MaskStartingWithOne_HasLeadingZeroCount()
    {
        // The example in model-formats.md §8.1: [1,1,1,1,1,1,0] → [0,6,1] (a 7×1 column).
        Assert.Equal([0, 6, 1], CocoRle.Encode([1, 1, 1, 1, 1, 1, 0], 1, 7));
    }

    [Fact]
    public void Encode_EmptyAndFullMasks_GiveOneOrTwoRuns()
    {
        Assert.Equal([6], CocoRle.Encode(new byte[6], 3, 2));
        Assert.Equal([0, 6], CocoRle.Encode([1, 1, 1, 1, 1, 1], 3, 2));
    }

    [Fact]
    public void Encode_CropInFrame_EqualsFullFrameEncoding()
    {
        // Frame 6×4; crop 3×2 at (2,1) with its top-left pixel off.
        var mask = new InstanceMask(2, 1, 3, 2, [0, 1, 1, 1, 1, 1]);
        int[] counts = CocoRle.Encode(mask, 6, 4);

        Assert.Equal([10, 1, 2, 2, 2, 2, 5], counts);
        Assert.Equal(CocoRle.Encode(ToFrame(mask, 6, 4), 6, 4), counts);
    }

    [Fact]
    public void Encode_CropPartlyOutsideFrame_IgnoresOutsidePart()
    {
        var mask = new InstanceMask(-2, 3, 4, 4, Enumerable.Repeat((byte)1, 16).ToArray());
        int[] counts = CocoRle.Encode(mask, 5, 5);

        Assert.Equal(CocoRle.Encode(ToFrame(mask, 5, 5), 5, 5), counts);
        Assert.Equal(4, counts[1..].Where((_, i) => i % 2 == 0).Sum()); // two columns × two rows inside the frame
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1, 2, 3, 1 }, "11112O")] // the 3×3 mask above; last delta 1−2 = −1 → 'O'
    [InlineData(new[] { 0, 6, 1 }, "061")]
    [InlineData(new[] { 100, 2, 3, 1 }, "T323O")] // 100 = 4 + 3·32 → 0x24+48 'T', then '3'
    [InlineData(new[] { 5000, 300, 20, 290, 7 }, "Xl4\\9d0FC")] // deltas from the 4th count on: −10, −13
    public void ToCompressedString_KnownCounts_MatchesRleToString(int[] counts, string expected)
    {
        Assert.Equal(expected, CocoRle.ToCompressedString(counts));
        Assert.Equal(counts, CocoRle.FromCompressedString(expected));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(64, 48)]
    [InlineData(159, 121)]
    public void RoundTrip_RandomMasks_DecodeEqualsOriginal(int width, int height)
    {
        var random = new Random(width * 1000 + height);
        var frame = new byte[width * height];
        // Blobs rather than noise, so runs have a mix of lengths (and large deltas).
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)((i / (1 + random.Next(40))) % 2);
        }

        int[] counts = CocoRle.Encode(frame, width, height);
        Assert.Equal(width * height, counts.Sum());
        Assert.Equal(frame, CocoRle.Decode(counts, height, width));
        Assert.Equal(counts, CocoRle.FromCompressedString(CocoRle.ToCompressedString(counts)));
    }

    [Fact]
    public void Decode_CountsNotCoveringFrame_Throws()
    {
        Assert.Throws<FormatException>(() => CocoRle.Decode([1, 2], 2, 2));
        Assert.Throws<FormatException>(() => CocoRle.Decode([3, 2], 2, 2));
    }

    internal static byte[] ToFrame(InstanceMask mask, int width, int height)
    {
        var frame = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                frame[(y * width) + x] = mask.Contains(x, y) ? (byte)1 : (byte)0;
            }
        }

        return frame;
    }
}
