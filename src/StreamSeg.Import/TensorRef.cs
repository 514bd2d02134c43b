namespace StreamSeg.Import;

/// <summary>Helpers for TF tensor references (<c>node</c>, <c>node:k</c>).</summary>
internal static class TensorRef
{
    /// <summary>Normalises a reference to <c>node:k</c>.</summary>
    public static string Normalize(string reference)
    {
        int colon = reference.LastIndexOf(':');
        if (colon > 0 && int.TryParse(reference.AsSpan(colon + 1), out _))
        {
            return reference;
        }

        return reference + ":0";
    }

    /// <summary>The node part of a reference.</summary>
    public static string NodeName(string reference)
    {
        string r = Normalize(reference);
        return r[..r.LastIndexOf(':')];
    }

    /// <summary>The output index of a reference.</summary>
    public static int OutputIndex(string reference)
    {
        string r = Normalize(reference);
        return int.Parse(r.AsSpan(r.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture);
    }
}
