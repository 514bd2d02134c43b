using StreamSeg.Decode;

namespace StreamSeg.Tests.Decode;

public class InstanceMergerTests
{
    private static Instances Pose(params BoxF[] boxes)
    {
        var keypoints = new Keypoint[boxes.Length * 17];
        for (int i = 0; i < boxes.Length; i++)
        {
            keypoints.AsSpan(i * 17, 17).Fill(new Keypoint(boxes[i].CenterX, boxes[i].CenterY, 0.9f));
        }

        return new Instances(boxes, [.. boxes.Select(_ => 0.8f)], new int[boxes.Length], keypoints: keypoints, keypointsPerInstance: 17, classNames: ["person"]);
    }

    [Fact]
    public void Merge_OverlappingPerson_TakesThePose_OthersStayAsPeople()
    {
        // "person" is class 1 here: the pose over the person box joins it; the cat (class 0) under the same box does not.
        var segments = new Instances([new BoxF(0, 0, 10, 20), new BoxF(0, 0, 10, 20)], [0.9f, 0.7f], [0, 1], classNames: ["cat", "person"]);
        Instances merged = new InstanceMerger().Merge(segments, Pose(new BoxF(1, 1, 10, 20), new BoxF(50, 50, 60, 70)));

        Assert.Equal(3, merged.Count);
        Assert.Equal([0, 1, 1], merged.ClassIds);
        Assert.Equal(0f, merged.KeypointsOf(0)[0].Score);
        Assert.Equal(0.9f, merged.KeypointsOf(1)[0].Score);
        Assert.Equal(new BoxF(50, 50, 60, 70), merged.Boxes[2]);
        Assert.Equal("person", merged.ClassName(merged.ClassIds[2]));
    }

    [Fact]
    public void Merge_SegmentsWithoutPersonClass_PosesStayPeople()
    {
        // The same fallback as bug 5 of issue 10: with no "person" among the segments' classes the merger took class
        // 0 (here "car") for person, gave the car the pose's keypoints and labelled the other pose a car.
        var segments = new Instances([new BoxF(0, 0, 10, 20)], [0.9f], [0], classNames: ["car", "dog"]);
        Instances merged = new InstanceMerger().Merge(segments, Pose(new BoxF(0, 0, 10, 20), new BoxF(50, 50, 60, 70)));

        Assert.Equal(3, merged.Count);
        Assert.Equal("car", merged.ClassName(merged.ClassIds[0]));
        Assert.Equal(0f, merged.KeypointsOf(0)[0].Score);
        Assert.Equal(["car", "dog", "person"], merged.ClassNames);
        Assert.Equal([0, 2, 2], merged.ClassIds);
        Assert.Equal(0.9f, merged.KeypointsOf(1)[0].Score);
    }

    [Fact]
    public void Merge_SegmentsWithoutNames_ClassZeroIsPerson()
    {
        var segments = new Instances([new BoxF(0, 0, 10, 20)], [0.9f], [0]);
        Instances merged = new InstanceMerger().Merge(segments, Pose(new BoxF(0, 0, 10, 20)));

        Assert.Equal(1, merged.Count);
        Assert.Equal(0.9f, merged.KeypointsOf(0)[0].Score);
        Assert.Equal(["person"], merged.ClassNames);
    }
}
