namespace StreamSeg.Pipeline;

/// <summary>Transforms one pipeline item into the next. A stage never sees a channel: the pipeline runner does the plumbing.</summary>
public interface IStage<TIn, TOut> : IAsyncDisposable
{
    /// <summary>Gets the stage's name, used in logs, metrics and fault messages.</summary>
    string Name { get; }

    /// <summary>Processes <paramref name="input"/>. Ownership of <paramref name="input"/> passes to the stage.</summary>
    ValueTask<TOut> ProcessAsync(TIn input, CancellationToken cancellationToken);
}
