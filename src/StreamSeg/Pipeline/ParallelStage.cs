using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// Runs a per-frame stage that keeps no state between frames (preprocessing) on several workers: each worker has its
/// own instance of the stage (its own scratch buffers and pools, nothing shared), and the frames queued on the input
/// (at most <see cref="MaxBatch"/>, never waited for) are shared out among them. The runner writes the frames on in
/// the order they came, so each source's frames keep their order.
/// </summary>
/// <remarks>
/// Made for many streams on one pipeline: one preprocess thread for dozens of streams is a bottleneck once the
/// models run on a GPU. With one worker, or one frame queued, the frame runs on the stage's own thread as before.
/// Not for stages with per-source state (tracking) or order-dependent work (inference's recurrent states).
/// </remarks>
public sealed class ParallelStage : IBatchStage
{
    private readonly IStage<Frame, Frame>[] _workers;
    private readonly ParallelOptions _parallel;

    /// <summary>Creates <paramref name="workers"/> instances of the stage with <paramref name="create"/>.</summary>
    /// <param name="create">Creates one instance of the stage (called once per worker, now).</param>
    /// <param name="workers">The number of workers (at least 1).</param>
    /// <param name="framesPerWorker">How many queued frames one call takes per worker (at least 1).</param>
    public ParallelStage(Func<IStage<Frame, Frame>> create, int workers, int framesPerWorker = 2)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerWorker, 1);
        _workers = new IStage<Frame, Frame>[workers];
        for (int i = 0; i < workers; i++)
        {
            _workers[i] = create();
        }

        _parallel = new ParallelOptions { MaxDegreeOfParallelism = workers };
        MaxBatch = workers * framesPerWorker;
        Name = _workers[0].Name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets the number of workers.</summary>
    public int Workers => _workers.Length;

    /// <inheritdoc/>
    public int MaxBatch { get; }

    /// <inheritdoc/>
    public ValueTask<Frame> ProcessAsync(Frame input, CancellationToken cancellationToken) => _workers[0].ProcessAsync(input, cancellationToken);

    /// <inheritdoc/>
    public ValueTask ProcessBatchAsync(IReadOnlyList<Frame> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int workers = Math.Min(_workers.Length, frames.Count);
        if (workers <= 1)
        {
            return RunShareAsync(0, 1, frames, cancellationToken);
        }

        // Worker w takes frames w, w + workers, …; each frame is processed in place by one worker only.
        try
        {
            Parallel.For(0, workers, _parallel, w => RunShareAsync(w, workers, frames, cancellationToken).AsTask().GetAwaiter().GetResult());
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // The runner names the stage and frame of a fault: give it the worker's own exception, not the wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Disposes every worker's stage.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (IStage<Frame, Frame> worker in _workers)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask RunShareAsync(int worker, int stride, IReadOnlyList<Frame> frames, CancellationToken cancellationToken)
    {
        IStage<Frame, Frame> stage = _workers[worker];
        for (int i = worker; i < frames.Count; i += stride)
        {
            Frame result = await stage.ProcessAsync(frames[i], cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(result, frames[i]))
            {
                throw new InvalidOperationException($"Stage '{stage.Name}' returned another frame than it was given; only in-place stages run in parallel.");
            }
        }
    }
}
