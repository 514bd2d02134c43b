using System.Buffers;
using System.Text.Json;
using StreamSeg.Frames;
using StreamSeg.Sinks;

namespace StreamSeg.Tests.Sinks;

/// <summary>A cluster node's <c>seq</c> (<see cref="FrameMetadataWriterOptions.SeqFromClock"/>): +1 per frame, and larger on the next owner of a camera.</summary>
public class FrameMetadataSeqFromClockTests
{
    [Fact]
    public void A_camera_that_moves_to_another_writer_goes_on_with_a_larger_seq_below_2_pow_53()
    {
        using Frame frame = NdjsonMetadataSinkTests.CreateGoldenFrames().First();
        frame.Meta.SourceIndex = 0;
        frame.Meta.SourceId = "cam1";

        // The first owner writes many frames (more than the 4096 per millisecond the base leaves room for), then stops.
        long last;
        long first;
        using (var owner = new FrameMetadataWriter(new FrameMetadataWriterOptions { Node = "n1", SeqFromClock = true }))
        {
            first = Seq(owner, frame);
            last = first;
            for (int i = 0; i < 5000; i++)
            {
                long seq = Seq(owner, frame);
                Assert.Equal(last + 1, seq);
                last = seq;
            }
        }

        Thread.Sleep(5);
        using var next = new FrameMetadataWriter(new FrameMetadataWriterOptions { Node = "n2", SeqFromClock = true });
        long moved = Seq(next, frame);
        Assert.True(moved > last, $"seq {moved} on the new owner is not above the old owner's last {last}");
        Assert.True(moved < 1L << 53, "seq must stay exact in JavaScript");

        // Without the clock (a single node), seq starts at 1 as before.
        using var plain = new FrameMetadataWriter(new FrameMetadataWriterOptions { Node = "n1" });
        Assert.Equal(1, Seq(plain, frame));
        Assert.True(first > 1);
    }

    private static long Seq(FrameMetadataWriter writer, Frame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        writer.Write(frame, buffer);
        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        return json.RootElement.GetProperty("seq").GetInt64();
    }
}
