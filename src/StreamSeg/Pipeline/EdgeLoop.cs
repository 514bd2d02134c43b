using System.Threading.Channels;
using StreamSeg.Capture;
using StreamSeg.Frames;

namespace StreamSeg.Pipeline;

/// <summary>
/// The one shape of every loop that reads an edge (pump, stage, fan-out, sink): take the frames queued now (at most
/// <c>maxBatch</c>, never waiting for more), hand them to the body, and when the input ends or anything fails tell
/// downstream (the completion callback, with the fault if there was one) and keep draining the input, so that
/// nothing upstream waits forever on an edge nobody reads.
/// </summary>
/// <remarks>
/// The body owns the frames it is given: it passes each one on or releases it, also when it throws. The list is the
/// loop's own and is reused, so the body must not keep it.
/// </remarks>
internal sealed class EdgeLoop
{
    private readonly Edge _input;
    private readonly int _maxBatch;
    private readonly Func<List<Frame>, CancellationToken, ValueTask>? _batchBody;
    private readonly Func<Frame, CancellationToken, ValueTask>? _body;
    private readonly Func<Exception?, ValueTask> _complete;

    /// <summary>Creates the loop over <paramref name="input"/> that hands <paramref name="body"/> one frame a call.</summary>
    /// <param name="input">The edge read.</param>
    /// <param name="body">Processes the frame, which it then owns.</param>
    /// <param name="complete">Runs once at the end, with the fault (including a cancellation) or null: completes the outputs or finalises a sink.</param>
    public EdgeLoop(Edge input, Func<Frame, CancellationToken, ValueTask> body, Func<Exception?, ValueTask> complete)
        : this(input, 1, complete)
    {
        _body = body;
    }

    /// <summary>Creates the loop over <paramref name="input"/> that hands <paramref name="body"/> the frames queued now, at most <paramref name="maxBatch"/>.</summary>
    /// <param name="input">The edge read.</param>
    /// <param name="maxBatch">The most frames one call of <paramref name="body"/> gets (1: one frame a call).</param>
    /// <param name="body">Processes the frames, which it then owns.</param>
    /// <param name="complete">Runs once at the end, with the fault (including a cancellation) or null: completes the outputs or finalises a sink.</param>
    public EdgeLoop(Edge input, int maxBatch, Func<List<Frame>, CancellationToken, ValueTask> body, Func<Exception?, ValueTask> complete)
        : this(input, maxBatch, complete)
    {
        _batchBody = body;
    }

    private EdgeLoop(Edge input, int maxBatch, Func<Exception?, ValueTask> complete)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        _input = input;
        _maxBatch = maxBatch;
        _complete = complete;
    }

    /// <summary>Runs until the input completes; rethrows the body's fault (or the input's) after completing downstream.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var frames = new List<Frame>(_maxBatch);
        try
        {
            while (await _input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (frames.Count < _maxBatch && _input.TryRead(out Frame? frame))
                {
                    frames.Add(frame);
                }

                if (frames.Count == 0)
                {
                    continue;
                }

                if (_body is not null)
                {
                    Frame frame = frames[0];
                    frames.Clear();
                    await _body(frame, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _batchBody!(frames, cancellationToken).ConfigureAwait(false);
                    frames.Clear();
                }
            }
        }
        catch (Exception ex)
        {
            // Downstream learns first, then whatever upstream still sends is released.
            await _complete(ex).ConfigureAwait(false);
            await DrainAsync(_input, cancellationToken).ConfigureAwait(false);
            throw;
        }

        await _complete(null).ConfigureAwait(false);
    }

    /// <summary>Releases every frame still coming on <paramref name="edge"/> after its reader failed, until the writer completes.</summary>
    public static async Task DrainAsync(Edge edge, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Frame frame in edge.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                frame.Dispose();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or StageException or SourceException or ChannelClosedException)
        {
            // Upstream ended by cancellation or its own fault: nothing more will come.
        }
    }

    /// <summary>Releases <paramref name="frames"/> from <paramref name="start"/> on (what a failed body had not passed on yet).</summary>
    public static void Release(List<Frame> frames, int start = 0)
    {
        for (int i = start; i < frames.Count; i++)
        {
            frames[i].Dispose();
        }

        frames.Clear();
    }
}
