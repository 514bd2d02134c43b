namespace StreamSeg.Evaluation.Coco;

/// <summary>A named object-area range, closed at both ends (an area of exactly 32² is both small and medium).</summary>
/// <param name="Label">The name printed in the table (all, small, medium, large).</param>
/// <param name="Min">The smallest area inside.</param>
/// <param name="Max">The largest area inside.</param>
public readonly record struct AreaRange(string Label, double Min, double Max)
{
    /// <summary>Whether <paramref name="area"/> lies outside the range (<c>area &lt; Min or area &gt; Max</c>).</summary>
    public bool Excludes(double area) => area < Min || area > Max;
}
