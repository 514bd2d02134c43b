namespace StreamSeg.Pipeline;

/// <summary>
/// A stage that keeps state per source (a tracker's tracks, a recurrent model's hidden state): told when a source has
/// left a <see cref="LivePipeline"/> for good, so that the state goes with it.
/// </summary>
public interface ISourceStateOwner
{
    /// <summary>
    /// Forgets the state of source <paramref name="sourceIndex"/>. Called from another thread than the stage's own,
    /// once no frame of that source is left anywhere in the pipeline; the index is never used again.
    /// </summary>
    void ForgetSource(int sourceIndex);
}
