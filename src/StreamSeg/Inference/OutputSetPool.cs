using System.Collections.Concurrent;
using StreamSeg.Preprocess;

namespace StreamSeg.Inference;

/// <summary>
/// The <see cref="OutputSet"/>s of one set of output shapes: a set is rented for a run and comes back when the
/// output that holds it is disposed, so an output still held by a later stage is never overwritten.
/// </summary>
/// <remarks>Rented by one worker; sets come back from any thread.</remarks>
internal sealed class OutputSetPool : IDisposable
{
    private readonly string[] _names;
    private readonly ConcurrentBag<OutputSet> _free = [];
    private readonly List<OutputSet> _all = [];

    /// <summary>Creates the pool for outputs <paramref name="names"/> of <paramref name="shapes"/>.</summary>
    public OutputSetPool(string[] names, long[][] shapes)
    {
        _names = names;
        Shapes = shapes;
    }

    /// <summary>Gets the output shapes, in the model's order.</summary>
    public long[][] Shapes { get; }

    /// <summary>Gets a free set, or a new one when every set is held.</summary>
    public OutputSet Rent()
    {
        if (_free.TryTake(out OutputSet? set))
        {
            return set;
        }

        set = new OutputSet(_names, Shapes, this);
        lock (_all)
        {
            _all.Add(set);
        }

        return set;
    }

    /// <summary>Takes back a set that is no longer held.</summary>
    public void Return(OutputSet set) => _free.Add(set);

    /// <summary>
    /// Runs <paramref name="session"/> with the outputs it reads bound to a rented set and returns them for the frame
    /// of <paramref name="transform"/>; the set comes back when the output is disposed (at once if the run fails).
    /// </summary>
    public ModelOutput Run(ModelSession session, in LetterboxTransform transform, IOutputObserver? observer)
    {
        OutputSet set = Rent();
        session.BindOutputs(set.Values, neededOnly: true);
        try
        {
            session.Run();
            observer?.OnOutputs(set.Values);
        }
        catch
        {
            Return(set);
            throw;
        }

        return new ModelOutput(set.Tensors, transform, set.Release);
    }

    /// <summary>Releases every set, held or free.</summary>
    public void Dispose()
    {
        lock (_all)
        {
            _all.ForEach(s => s.Dispose());
        }
    }
}
