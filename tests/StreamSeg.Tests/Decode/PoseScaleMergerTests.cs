using System.Text.Json;
using StreamSeg.Decode;
using StreamSeg.Models;
using StreamSeg.Preprocess;
using StreamSeg.Tests.Models;

namespace StreamSeg.Tests.Decode;

/// <summary>
/// Merging MoveNet's people found at two input sizes: on the TF.js references (what each scale must find) and on
/// made-up cases for each rule (box overlap, keypoint agreement, neighbours kept apart, better keypoints kept).
/// </summary>
public class PoseScaleMergerTests
{
    private const int K = 17;

    [Theory]
    [InlineData("vtest_f000", 3)]
    [InlineData("vtest_f100", 5)]
    public void Merge_OracleScales_KeepsEveryPersonOfEitherScaleOnce(string image, int people)
    {
        Instances at512 = DecodeOracle(image + ".long512.json", 512);
        Instances at256 = DecodeOracle(image + ".long256.json", 256);
        Instances merged = new PoseScaleMerger().Merge(at512, at256);

        // Every person each scale finds (score above 0.2, as the references decode) is there, with the box and score
        // of the scale that found them best; no person is there twice.
        Assert.Equal(people, merged.Count);
        foreach (Instances scale in new[] { at512, at256 })
        {
            for (int i = 0; i < scale.Count; i++)
            {
                int match = BestIoU(merged, scale.Boxes[i], out float iou);
                Assert.True(iou > 0.5f, $"{image}: person {i} at {scale.Boxes[i]} has no merged person (best IoU {iou:F2})");
                Assert.True(merged.Scores[match] >= scale.Scores[i]);
            }
        }

        for (int a = 0; a < merged.Count; a++)
        {
            for (int b = a + 1; b < merged.Count; b++)
            {
                Assert.True(BoxF.IoU(merged.Boxes[a], merged.Boxes[b]) < 0.5f, $"{image}: people {a} and {b} overlap");
            }
        }

        // The 512 references find more far pedestrians than 256: those are all kept as 512 found them.
        for (int i = 0; i < at512.Count; i++)
        {
            int match = BestIoU(merged, at512.Boxes[i], out _);
            if (BestIoU(at256, at512.Boxes[i], out float with256) >= 0 && with256 > 0.5f)
            {
                continue;
            }

            Assert.Equal(at512.Boxes[i], merged.Boxes[match]);
            Assert.Equal(at512.Scores[i], merged.Scores[match]);
        }
    }

    [Fact]
    public void Merge_OracleBasketballAt256_AgainstNothingAt512_KeepsBothPlayers()
    {
        // At 512 the close-up players can be missed entirely; the merge then keeps 256's two, as TF.js found them.
        Instances at256 = DecodeOracle("basketball1.long256.json", 256);
        Instances merged = new PoseScaleMerger().Merge(Instances.Empty, at256);
        Assert.Equal(2, merged.Count);
        Assert.Equal(at256.Boxes, merged.Boxes);
    }

    [Fact]
    public void Merge_PartOfAPersonAtOneScale_IsThatPerson_WithTheKeypointsOnlyTheOtherScaleSaw()
    {
        // messi5.jpg: 512 sees half the player (score 0.29), 256 the whole player (0.63); box IoU 0.61.
        Keypoint[] wholePose = Pose(200, 100, 0.6f);
        wholePose[9] = new Keypoint(300, 300, 0.1f);    // a wrist the best person did not see…
        Keypoint[] halfPose = Pose(201, 101, 0.2f);
        halfPose[9] = new Keypoint(400, 250, 0.9f);     // …which the other scale saw
        halfPose[10] = new Keypoint(410, 250, 0.95f);   // a joint both saw: the best person's own stays
        Instances whole = People((new BoxF(67, 62, 457, 335), 0.63f, wholePose));
        Instances half = People((new BoxF(195, 76, 452, 329), 0.29f, halfPose));

        Instances merged = new PoseScaleMerger().Merge(half, whole);

        Assert.Equal(1, merged.Count);
        Assert.Equal(new BoxF(67, 62, 457, 335), merged.Boxes[0]);
        Assert.Equal(0.63f, merged.Scores[0]);
        Assert.Equal(new Keypoint(400, 250, 0.9f), merged.KeypointsOf(0)[9]);
        for (int j = 0; j < K; j++)
        {
            if (j != 9)
            {
                Assert.Equal(wholePose[j], merged.KeypointsOf(0)[j]);
            }
        }
    }

    [Fact]
    public void Merge_KeypointsAgreeButBoxesDoNot_IsOnePerson()
    {
        // A raised arm: one scale's box takes it in, the other's does not (IoU 0.38), but the joints coincide.
        Instances a = People((new BoxF(100, 100, 200, 400), 0.5f, Pose(150, 150, 0.8f)));
        Instances b = People((new BoxF(60, 0, 200, 300), 0.4f, Pose(151, 151, 0.8f)));
        Assert.True(BoxF.IoU(a.Boxes[0], b.Boxes[0]) < 0.5f);

        Instances merged = new PoseScaleMerger().Merge(a, b);

        Assert.Equal(1, merged.Count);
        Assert.Equal(a.Boxes[0], merged.Boxes[0]);
    }

    [Fact]
    public void Merge_NeighboursSideBySide_StayTwoPeople()
    {
        // Two pedestrians walking together: boxes overlap a little (IoU 0.23), joints 30 px apart.
        Instances a = People((new BoxF(100, 100, 140, 200), 0.5f, Pose(110, 110, 0.8f)));
        Instances b = People((new BoxF(125, 100, 165, 200), 0.4f, Pose(140, 110, 0.8f)));

        Instances merged = new PoseScaleMerger().Merge(a, b);

        Assert.Equal(2, merged.Count);
        Assert.Equal([0.5f, 0.4f], merged.Scores);
    }

    [Fact]
    public void Merge_OnePersonSpanningTwoOfTheOtherScale_IsABlend_AndDropped()
    {
        // vtest.avi frame 93: 512 finds two pedestrians side by side; 256 one box over both (IoU 0.39 and 0.33 with
        // them; together they cover 0.77 of it), with a lower score.
        Instances at512 = People((new BoxF(470, 154, 497, 228), 0.28f, Pose(480, 160, 0.5f)), (new BoxF(499, 160, 527, 231), 0.23f, Pose(508, 166, 0.5f)));
        Instances at256 = People((new BoxF(472, 150, 522, 241), 0.22f, Pose(494, 200, 0.5f)));

        Instances merged = new PoseScaleMerger().Merge(at512, at256);

        Assert.Equal(at512.Boxes, merged.Boxes);

        // Without the coverage rule the blend would stay: the rule, not the IoU test, dropped it.
        Assert.Equal(3, new PoseScaleMerger(blendCoverage: 2f).Merge(at512, at256).Count);
    }

    [Fact]
    public void Merge_FarPersonInsideACloseUpPersonsBox_IsKept()
    {
        // A close-up person found at 256 and a small far person behind them found at 512, inside the first's box.
        Instances at256 = People((new BoxF(0, 0, 300, 400), 0.6f, Pose(100, 100, 0.7f)));
        Instances at512 = People((new BoxF(200, 50, 230, 130), 0.3f, Pose(205, 55, 0.7f)));

        Instances merged = new PoseScaleMerger().Merge(at512, at256);

        Assert.Equal([new BoxF(0, 0, 300, 400), new BoxF(200, 50, 230, 130)], merged.Boxes);
    }

    [Fact]
    public void Merge_OverlappingPeopleOfOneScale_AreBothKept()
    {
        // The model's own decoder separated them (one partly behind the other): the merge leaves that alone.
        Instances at512 = People((new BoxF(100, 100, 140, 200), 0.5f, Pose(110, 110, 0.8f)), (new BoxF(105, 100, 145, 200), 0.3f, Pose(130, 110, 0.8f)));
        Assert.True(BoxF.IoU(at512.Boxes[0], at512.Boxes[1]) > 0.5f);

        Instances merged = new PoseScaleMerger().Merge(at512, People((new BoxF(300, 0, 340, 100), 0.4f, Pose(310, 10, 0.8f))));
        Assert.Equal([0.5f, 0.4f, 0.3f], merged.Scores);
    }

    [Fact]
    public void Merge_SameScore_KeepsTheFirstScalesPerson_AndOrdersByScore()
    {
        Instances first = People((new BoxF(0, 0, 10, 20), 0.3f, Pose(2, 2, 0.5f)), (new BoxF(50, 0, 60, 20), 0.7f, Pose(52, 2, 0.5f)));
        Instances second = People((new BoxF(0, 0, 10, 21), 0.3f, Pose(2, 2, 0.5f)));

        Instances merged = new PoseScaleMerger().Merge(first, second);

        Assert.Equal([new BoxF(50, 0, 60, 20), new BoxF(0, 0, 10, 20)], merged.Boxes);
        Assert.Equal("person", merged.ClassName(merged.ClassIds[0]));
    }

    [Fact]
    public void Oks_IsCocosFormula()
    {
        var merger = new PoseScaleMerger();
        Keypoint[] a = Pose(0, 0, 0.9f);
        Keypoint[] b = Pose(3, 4, 0.9f); // every keypoint 5 px away
        const float Area = 10000;
        float[] sigmas = [0.026f, 0.025f, 0.025f, 0.035f, 0.035f, 0.079f, 0.079f, 0.072f, 0.072f, 0.062f, 0.062f, 0.107f, 0.107f, 0.087f, 0.087f, 0.089f, 0.089f];
        float expected = sigmas.Average(s => MathF.Exp(-25f / (2 * Area * 4 * s * s)));
        Assert.Equal(expected, merger.Oks(a, Area, b), 5);

        // Keypoints not confident in both do not count, and fewer than three shared give 0.
        b[0] = b[0] with { Score = 0.1f };
        Assert.NotEqual(expected, merger.Oks(a, Area, b), 5);
        for (int j = 0; j < K - 2; j++)
        {
            b[j] = b[j] with { Score = 0.1f };
        }

        Assert.Equal(0, merger.Oks(a, Area, b));
    }

    private static int BestIoU(Instances set, BoxF box, out float best)
    {
        best = 0;
        int at = -1;
        for (int i = 0; i < set.Count; i++)
        {
            float iou = BoxF.IoU(set.Boxes[i], box);
            if (iou > best)
            {
                best = iou;
                at = i;
            }
        }

        return at;
    }

    /// <summary>A pose whose keypoints are laid out from (x, y) on a 4 px grid, all with <paramref name="score"/>.</summary>
    private static Keypoint[] Pose(float x, float y, float score)
    {
        var kps = new Keypoint[K];
        for (int j = 0; j < K; j++)
        {
            kps[j] = new Keypoint(x + (4 * (j % 3)), y + (4 * (j / 3)), score);
        }

        return kps;
    }

    private static Instances People(params (BoxF Box, float Score, Keypoint[] Pose)[] people) =>
        new(
            [.. people.Select(p => p.Box)],
            [.. people.Select(p => p.Score)],
            new int[people.Length],
            keypoints: [.. people.SelectMany(p => p.Pose)],
            keypointsPerInstance: K,
            classNames: ["person"]);

    private static Instances DecodeOracle(string file, int longSide)
    {
        using JsonDocument doc = OracleData.Json("movenet-multipose", file);
        JsonElement root = doc.RootElement;
        int w = root.GetProperty("imageSize").GetProperty("w").GetInt32();
        int h = root.GetProperty("imageSize").GetProperty("h").GetInt32();
        ModelSignature signature = TestSignatures.Make([new TensorSignature("input", "Int32", [1, -1, -1, 3])], [TestSignatures.Float("Identity", 1, 6, 56)]);
        var adapter = new MoveNetMultiPoseAdapter(signature, AdapterOptions.Default with { LongSide = longSide });
        JsonElement output = root.GetProperty("output");
        return adapter.Decode([OracleData.Tensor("Identity", output.GetProperty("shape"), output.GetProperty("data"))], TensorWriter.TransformFor(adapter.Input, w, h));
    }
}
