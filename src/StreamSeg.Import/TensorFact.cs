namespace StreamSeg.Import;

/// <summary>What <see cref="BatchAxisRules"/> knows about one tensor of a graph.</summary>
internal enum FactKind
{
    /// <summary>Anything else: the tensor may mix the frames of a batch, or nothing is known of it.</summary>
    Other,

    /// <summary>The same for every batch: an initializer, a <c>Constant</c>, or computed from those alone.</summary>
    Const,

    /// <summary>Its first axis is the batch, and row <c>b</c> depends only on row <c>b</c> of the graph's input.</summary>
    Batched,

    /// <summary>A small integer vector read from the shapes of batched tensors (<see cref="TensorFact.Tags"/> says which element is which).</summary>
    ShapeValue,
}

/// <summary>What an element of a <see cref="FactKind.ShapeValue"/> holds.</summary>
internal enum DimTag
{
    /// <summary>A number known when the graph is read.</summary>
    Static,

    /// <summary>A dimension other than the batch (a height, a width): the same at any batch size.</summary>
    Dynamic,

    /// <summary>Exactly the batch size.</summary>
    Batch,

    /// <summary>Computed from the batch size: wrong once the batch changes.</summary>
    Mixed,
}

/// <summary>One tensor's fact: its kind, and for a batched tensor its rank and element type, for a constant its dims and (small ones) values.</summary>
internal sealed class TensorFact
{
    /// <summary>The fact of a tensor nothing is known about.</summary>
    public static readonly TensorFact Unknown = new(FactKind.Other);

    /// <summary>Creates a fact of <paramref name="kind"/>.</summary>
    public TensorFact(FactKind kind) => Kind = kind;

    /// <summary>Gets the kind.</summary>
    public FactKind Kind { get; }

    /// <summary>Gets or sets a batched tensor's rank (-1: unknown).</summary>
    public int Rank { get; init; } = -1;

    /// <summary>Gets or sets a batched tensor's ONNX element type (0: unknown).</summary>
    public int ElementType { get; init; }

    /// <summary>Gets or sets a constant's dims, when known.</summary>
    public long[]? Dims { get; init; }

    /// <summary>Gets or sets a small constant's values (integers and floats alike), when known.</summary>
    public double[]? Values { get; init; }

    /// <summary>Gets or sets a shape value's elements.</summary>
    public DimTag[]? Tags { get; init; }

    /// <summary>Gets or sets the value of each <see cref="DimTag.Static"/> element of a shape value.</summary>
    public double[]? TagValues { get; init; }

    /// <summary>Creates a batched fact.</summary>
    public static TensorFact Batched(int rank, int elementType) => new(FactKind.Batched) { Rank = rank, ElementType = elementType };

    /// <summary>Creates a shape-value fact.</summary>
    public static TensorFact Shape(DimTag[] tags, double[] values) => new(FactKind.ShapeValue) { Tags = tags, TagValues = values };
}
