namespace StreamSeg.Import;

/// <summary>
/// Resolves TF1 <c>Switch</c>/<c>Merge</c> control flow (doc §12): marks the untaken Switch port dead, propagates
/// deadness through data and control inputs, and turns each live Switch port and each Merge into an alias of the
/// tensor that flows through it.
/// </summary>
internal sealed class ControlFlowResolver
{
    private readonly Dictionary<string, TfjsNode> _nodes;
    private readonly Func<string, bool?> _evaluatePredicate;
    private readonly bool _fallbackBranch;

    public ControlFlowResolver(Dictionary<string, TfjsNode> nodes, Func<string, bool?> evaluatePredicate, bool fallbackBranch)
    {
        _nodes = nodes;
        _evaluatePredicate = evaluatePredicate;
        _fallbackBranch = fallbackBranch;
    }

    /// <summary>Tensor references (<c>node:k</c>) replaced by another reference.</summary>
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>Merge <c>:1</c> outputs replaced by a constant branch index.</summary>
    public Dictionary<string, int> MergeIndices { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes that never run.</summary>
    public HashSet<string> DeadNodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Human-readable notes about each resolved switch.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Runs the analysis.</summary>
    public void Resolve(IEnumerable<TfjsNode> topoOrder)
    {
        var deadRefs = new HashSet<string>(StringComparer.Ordinal);
        bool IsDead(string reference)
        {
            string r = TensorRef.Normalize(reference);
            return deadRefs.Contains(r) || DeadNodes.Contains(TensorRef.NodeName(r));
        }

        foreach (TfjsNode node in topoOrder)
        {
            if (node.Op == "Merge")
            {
                var live = node.Inputs.Where(i => !IsDead(i)).ToList();
                if (live.Count == 0)
                {
                    DeadNodes.Add(node.Name);
                    continue;
                }

                Aliases[node.Name + ":0"] = Resolve(TensorRef.Normalize(live[0]));
                MergeIndices[node.Name + ":1"] = node.Inputs.ToList().IndexOf(live[0]);
                continue;
            }

            bool dead = node.Inputs.Any(IsDead) || node.ControlInputs.Any(c => DeadNodes.Contains(c));
            if (dead)
            {
                DeadNodes.Add(node.Name);
                continue;
            }

            if (node.Op == "Switch")
            {
                bool? value = _evaluatePredicate(Resolve(TensorRef.Normalize(node.Inputs[1])));
                bool taken = value ?? _fallbackBranch;
                if (value is null)
                {
                    Notes.Add($"Switch '{node.Name}': predicate is not constant; resolved to the {(taken ? "true" : "false")} branch (ConverterOptions.NonConstantSwitchBranch).");
                }

                deadRefs.Add(node.Name + (taken ? ":0" : ":1"));
                Aliases[node.Name + (taken ? ":1" : ":0")] = Resolve(TensorRef.Normalize(node.Inputs[0]));
            }
        }
    }

    /// <summary>Follows aliases to the final reference.</summary>
    public string Resolve(string normalizedRef)
    {
        string r = normalizedRef;
        int guard = 0;
        while (Aliases.TryGetValue(r, out string? next) && guard++ < 10_000)
        {
            r = next;
        }

        return r;
    }
}
