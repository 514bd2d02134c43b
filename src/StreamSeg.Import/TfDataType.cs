using System.Diagnostics.CodeAnalysis;

namespace StreamSeg.Import;

/// <summary>The TensorFlow element types the importer understands.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name element types on purpose, after TensorFlow's DT_FLOAT, DT_INT32 ….")]
public enum TfDataType
{
    /// <summary>32-bit IEEE float (<c>DT_FLOAT</c>).</summary>
    Float,

    /// <summary>32-bit signed integer (<c>DT_INT32</c>).</summary>
    Int32,

    /// <summary>64-bit signed integer (<c>DT_INT64</c>).</summary>
    Int64,

    /// <summary>Boolean (<c>DT_BOOL</c>).</summary>
    Bool,

    /// <summary>8-bit unsigned integer (<c>DT_UINT8</c>).</summary>
    UInt8,

    /// <summary>16-bit IEEE float (<c>DT_HALF</c>).</summary>
    Half,

    /// <summary>64-bit IEEE float (<c>DT_DOUBLE</c>).</summary>
    Double,
}
