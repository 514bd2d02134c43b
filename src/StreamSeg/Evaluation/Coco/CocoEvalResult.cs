using System.Globalization;
using System.Text;

namespace StreamSeg.Evaluation.Coco;

/// <summary>
/// The accumulated evaluation (pycocotools' <c>eval['precision']</c> and <c>eval['recall']</c>) and its summary: the
/// stats in pycocotools' order, per-category AP, and the standard table as <c>COCOeval.summarize()</c> prints it.
/// </summary>
public sealed class CocoEvalResult
{
    private readonly double[] _precision;
    private readonly double[] _recall;
    private readonly int[] _categoryIds;
    private readonly Dictionary<int, string> _categoryNames;

    internal CocoEvalResult(CocoEvalParameters parameters, int[] categoryIds, IReadOnlyList<CocoCategory> categories, double[] precision, double[] recall, TimeSpan elapsed)
    {
        Parameters = parameters;
        _categoryIds = categoryIds;
        _categoryNames = new Dictionary<int, string>(categories.Count);
        foreach (CocoCategory c in categories)
        {
            _categoryNames[c.Id] = c.Name;
        }

        _precision = precision;
        _recall = recall;
        Elapsed = elapsed;
        var stats = new double[parameters.Stats.Count];
        for (int s = 0; s < stats.Length; s++)
        {
            stats[s] = Summarize(parameters.Stats[s]);
        }

        Stats = stats;
    }

    /// <summary>Gets the parameters evaluated with.</summary>
    public CocoEvalParameters Parameters { get; }

    /// <summary>Gets the summary stats in the order of <see cref="CocoEvalParameters.Stats"/> (−1 where nothing could be measured).</summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>Gets the time evaluate and accumulate took (loading excluded).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the stat named <paramref name="name"/> (AP, AP50, …).</summary>
    public double this[string name]
    {
        get
        {
            for (int s = 0; s < Parameters.Stats.Count; s++)
            {
                if (Parameters.Stats[s].Name == name)
                {
                    return Stats[s];
                }
            }

            throw new KeyNotFoundException($"No stat named '{name}' for {Parameters.IouType}.");
        }
    }

    /// <summary>
    /// AP (IoU 0.50:0.95, area all, the largest detection limit) of each category, in category-id order; −1 for a
    /// category without ground truth.
    /// </summary>
    public IReadOnlyList<(int CategoryId, string Name, double Ap)> PerCategoryAp()
    {
        CocoEvalParameters p = Parameters;
        int t = p.IouThresholds.Count, r = p.RecallThresholds.Count, k = _categoryIds.Length, areas = p.AreaRanges.Count, limits = p.MaxDets.Count;
        int m = limits - 1;
        var values = new List<double>(t * r);
        var result = new List<(int, string, double)>(k);
        for (int ki = 0; ki < k; ki++)
        {
            values.Clear();
            for (int ti = 0; ti < t; ti++)
            {
                for (int ri = 0; ri < r; ri++)
                {
                    double v = _precision[(((((((ti * r) + ri) * k) + ki) * areas) + 0) * limits) + m];
                    if (v > -1)
                    {
                        values.Add(v);
                    }
                }
            }

            int id = _categoryIds[ki];
            result.Add((id, _categoryNames.GetValueOrDefault(id, id.ToString(CultureInfo.InvariantCulture)), values.Count == 0 ? -1 : NumpySum.Mean(values.ToArray())));
        }

        return result;
    }

    /// <summary>The standard table, one line per stat, exactly as pycocotools' <c>summarize()</c> prints it.</summary>
    public string FormatTable()
    {
        var sb = new StringBuilder();
        CocoEvalParameters p = Parameters;
        for (int s = 0; s < p.Stats.Count; s++)
        {
            CocoStat stat = p.Stats[s];
            string title = stat.IsPrecision ? "Average Precision" : "Average Recall";
            string type = stat.IsPrecision ? "(AP)" : "(AR)";
            string iou = stat.IouThreshold is { } thr
                ? thr.ToString("0.00", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{p.IouThresholds[0]:0.00}:{p.IouThresholds[^1]:0.00}");
            sb.Append(CultureInfo.InvariantCulture, $" {title,-18} {type} @[ IoU={iou,-9} | area={stat.Area,6} | maxDets={stat.MaxDets,3} ] = {Stats[s]:0.000}").Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>pycocotools' <c>_summarize</c>: the mean of the selected cells that are &gt; −1, in numpy's order and summation; −1 if none is.</summary>
    private double Summarize(CocoStat stat)
    {
        CocoEvalParameters p = Parameters;
        int t = p.IouThresholds.Count, r = p.RecallThresholds.Count, k = _categoryIds.Length, areas = p.AreaRanges.Count, limits = p.MaxDets.Count;
        int a = -1, m = -1;
        for (int i = 0; i < areas; i++)
        {
            if (p.AreaRanges[i].Label == stat.Area)
            {
                a = i;
            }
        }

        for (int i = 0; i < limits; i++)
        {
            if (p.MaxDets[i] == stat.MaxDets)
            {
                m = i;
            }
        }

        if (a < 0 || m < 0)
        {
            return -1;
        }

        var values = new List<double>();
        for (int ti = 0; ti < t; ti++)
        {
            // AP50 and AP75 pick the thresholds equal to 0.5 and 0.75 among numpy's linspace values.
            if (stat.IouThreshold is { } thr && p.IouThresholds[ti] != thr)
            {
                continue;
            }

            if (stat.IsPrecision)
            {
                for (int ri = 0; ri < r; ri++)
                {
                    for (int ki = 0; ki < k; ki++)
                    {
                        double v = _precision[(((((((ti * r) + ri) * k) + ki) * areas) + a) * limits) + m];
                        if (v > -1)
                        {
                            values.Add(v);
                        }
                    }
                }
            }
            else
            {
                for (int ki = 0; ki < k; ki++)
                {
                    double v = _recall[(((((ti * k) + ki) * areas) + a) * limits) + m];
                    if (v > -1)
                    {
                        values.Add(v);
                    }
                }
            }
        }

        return values.Count == 0 ? -1 : NumpySum.Mean(values.ToArray());
    }
}
