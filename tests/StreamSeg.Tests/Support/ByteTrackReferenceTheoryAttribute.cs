namespace StreamSeg.Tests.Support;

/// <summary>A theory that needs the ByteTrack reference outputs (<see cref="ByteTrackReference"/>); skipped with the reason where they are absent.</summary>
public sealed class ByteTrackReferenceTheoryAttribute : TheoryAttribute
{
    public ByteTrackReferenceTheoryAttribute()
    {
        Skip = ByteTrackReference.MissingReason();
    }
}
