using System.Globalization;
using System.Text.Json;

namespace StreamSeg.Evaluation.Panoptic;

/// <summary>
/// Panoptic Quality results as panopticapi's <c>pq_compute</c> returns them: All, Things and Stuff averages and the
/// per-category values, as fractions (panopticapi prints them × 100).
/// </summary>
public sealed class PanopticResult
{
    /// <summary>Initialises the result from the accumulated counts; averages follow the order of <paramref name="categories"/>.</summary>
    public PanopticResult(IReadOnlyList<PanopticCategory> categories, IReadOnlyDictionary<int, PanopticCategoryStats> stats, int images)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(stats);
        Categories = categories;
        Images = images;
        var perCategory = new Dictionary<int, PanopticCategoryStats>();
        foreach (PanopticCategory c in categories)
        {
            perCategory[c.Id] = stats.TryGetValue(c.Id, out PanopticCategoryStats? s) ? s : new PanopticCategoryStats();
        }

        PerCategory = perCategory;
        All = Average(null);
        Things = Average(true);
        Stuff = Average(false);
    }

    /// <summary>Gets the ground truth's categories, in file order.</summary>
    public IReadOnlyList<PanopticCategory> Categories { get; }

    /// <summary>Gets the counts per category id (every ground-truth category, zero where never seen).</summary>
    public IReadOnlyDictionary<int, PanopticCategoryStats> PerCategory { get; }

    /// <summary>Gets the number of images evaluated.</summary>
    public int Images { get; }

    /// <summary>Gets the average over all counted categories.</summary>
    public PanopticQuality All { get; }

    /// <summary>Gets the average over counted thing categories.</summary>
    public PanopticQuality Things { get; }

    /// <summary>Gets the average over counted stuff categories.</summary>
    public PanopticQuality Stuff { get; }

    /// <summary>
    /// Writes <c>{"All": {"pq","sq","rq","n"}, "Things": …, "Stuff": …, "per_class": {"&lt;id&gt;": {"pq","sq","rq","tp","fp","fn","iou","name","isthing"}}}</c>
    /// — pq_compute's return value (fractions), with the counts added.
    /// </summary>
    public void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        WriteQuality(w, "All", All);
        WriteQuality(w, "Things", Things);
        WriteQuality(w, "Stuff", Stuff);
        w.WriteStartObject("per_class");
        foreach (PanopticCategory c in Categories)
        {
            PanopticCategoryStats s = PerCategory[c.Id];
            w.WriteStartObject(c.Id.ToString(CultureInfo.InvariantCulture));
            w.WriteString("name", c.Name);
            w.WriteNumber("isthing", c.IsThing ? 1 : 0);
            w.WriteNumber("pq", s.PQ);
            w.WriteNumber("sq", s.SQ);
            w.WriteNumber("rq", s.RQ);
            w.WriteNumber("tp", s.TP);
            w.WriteNumber("fp", s.FP);
            w.WriteNumber("fn", s.FN);
            w.WriteNumber("iou", s.IouSum);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteNumber("images", Images);
        w.WriteEndObject();
    }

    /// <summary>Writes panopticapi's table (PQ, SQ, RQ × 100 and N for All, Things, Stuff).</summary>
    public void WriteTable(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-10}| {"PQ",5}  {"SQ",5}  {"RQ",5}  {"N",5}"));
        writer.WriteLine(new string('-', 41));
        foreach ((string name, PanopticQuality q) in new[] { ("All", All), ("Things", Things), ("Stuff", Stuff) })
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-10}| {100 * q.PQ,5:0.0}  {100 * q.SQ,5:0.0}  {100 * q.RQ,5:0.0}  {q.N,5}"));
        }
    }

    private static void WriteQuality(Utf8JsonWriter w, string name, PanopticQuality q)
    {
        w.WriteStartObject(name);
        w.WriteNumber("pq", q.PQ);
        w.WriteNumber("sq", q.SQ);
        w.WriteNumber("rq", q.RQ);
        w.WriteNumber("n", q.N);
        w.WriteEndObject();
    }

    // pq_average: plain means over the categories of that kind with TP + FP + FN > 0, summed in category order.
    private PanopticQuality Average(bool? isThing)
    {
        double pq = 0, sq = 0, rq = 0;
        int n = 0;
        foreach (PanopticCategory c in Categories)
        {
            PanopticCategoryStats s = PerCategory[c.Id];
            if ((isThing is { } thing && thing != c.IsThing) || !s.Counted)
            {
                continue;
            }

            n++;
            pq += s.PQ;
            sq += s.SQ;
            rq += s.RQ;
        }

        return n == 0 ? new PanopticQuality(0, 0, 0, 0) : new PanopticQuality(pq / n, sq / n, rq / n, n);
    }
}
