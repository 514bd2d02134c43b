using System.Buffers;

namespace StreamSeg.Tests.Support;

/// <summary>
/// An <see cref="ArrayPool{T}"/> for ownership tests, after ImageSharp's <c>TestMemoryAllocator</c>: every array it
/// hands out is longer than asked and filled with a dirty value, it counts rents and returns, and it throws on a
/// return of an array that is not out (returned twice, or never rented here).
/// </summary>
internal sealed class TestArrayPool<T> : ArrayPool<T>
{
    private readonly T _dirty;
    private readonly HashSet<T[]> _out = [];
    private readonly List<T[]> _free = [];

    public TestArrayPool(T dirty)
    {
        _dirty = dirty;
    }

    /// <summary>Gets how many arrays have been rented.</summary>
    public int Rented { get; private set; }

    /// <summary>Gets how many arrays have come back.</summary>
    public int Returned { get; private set; }

    /// <summary>Gets how many arrays are out now.</summary>
    public int Outstanding
    {
        get
        {
            lock (_out)
            {
                return _out.Count;
            }
        }
    }

    /// <inheritdoc/>
    public override T[] Rent(int minimumLength)
    {
        lock (_out)
        {
            // Reuse a returned array when one is long enough, as a real pool does, so stale contents show up.
            int i = _free.FindIndex(a => a.Length >= minimumLength);
            T[] array = i >= 0 ? _free[i] : new T[minimumLength + 3];
            if (i >= 0)
            {
                _free.RemoveAt(i);
            }
            else
            {
                Array.Fill(array, _dirty);
            }

            _out.Add(array);
            Rented++;
            return array;
        }
    }

    /// <inheritdoc/>
    public override void Return(T[] array, bool clearArray = false)
    {
        lock (_out)
        {
            if (!_out.Remove(array))
            {
                throw new InvalidOperationException("An array went back to the pool that is not out: returned twice, or not rented here.");
            }

            Returned++;
            _free.Add(array);
        }
    }
}
