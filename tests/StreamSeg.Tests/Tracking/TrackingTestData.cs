using StreamSeg.Decode;
using StreamSeg.Frames;

namespace StreamSeg.Tests.Tracking;

/// <summary>Builds the small hand-made detections and metadata the tracker tests feed in.</summary>
internal static class TrackingTestData
{
    /// <summary>Detections of class 0 with the given boxes and scores, in the given order.</summary>
    public static Instances Detections(params (BoxF Box, float Score)[] detections)
    {
        var boxes = new BoxF[detections.Length];
        var scores = new float[detections.Length];
        for (int i = 0; i < detections.Length; i++)
        {
            boxes[i] = detections[i].Box;
            scores[i] = detections[i].Score;
        }

        return new Instances(boxes, scores, new int[detections.Length]);
    }

    /// <summary>Metadata of frame <paramref name="index"/> of a source.</summary>
    public static FrameMetadata Meta(long index, bool discontinuity = false, string sourceId = "cam0") =>
        new() { SourceId = sourceId, SourceIndex = sourceId.StartsWith("cam", StringComparison.Ordinal) && int.TryParse(sourceId.AsSpan(3), out int n) ? n : 0, Index = index, Discontinuity = discontinuity };

    /// <summary>The track ids of a tracker result, which must have them.</summary>
    public static int[] Ids(this Instances result) => result.TrackIds ?? throw new InvalidOperationException("The result has no track ids.");

    /// <summary>A box of the given size centred at (<paramref name="cx"/>, <paramref name="cy"/>).</summary>
    public static BoxF Box(float cx, float cy, float width = 50, float height = 100) => BoxF.FromCenter(cx, cy, width, height);
}
