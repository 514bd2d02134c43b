using System.Globalization;

namespace StreamSeg.Cli.Eval;

/// <summary>
/// Writes a run's tracks in the MOTChallenge format the field's tools read (py-motmetrics, TrackEval):
/// <c>frame,id,x,y,w,h,conf,-1,-1,-1</c>, one line per tracked instance, frames numbered from 1. Untracked instances
/// (a run with <c>--no-track</c>) have no id and are skipped and counted.
/// </summary>
internal static class MotExporter
{
    /// <summary>
    /// Writes the instances of source <paramref name="sourceIndex"/> (all sources when null; several sources would mix
    /// their ids, so the caller picks one) of class <paramref name="className"/> (all when null); returns (written, untracked).
    /// </summary>
    public static (int Written, int Untracked) Write(IEnumerable<FrameRecord> frames, TextWriter output, int? sourceIndex, string? className)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(output);
        int written = 0, untracked = 0;
        foreach (FrameRecord frame in frames)
        {
            if (sourceIndex is int s && frame.SourceIndex != s)
            {
                continue;
            }

            foreach (InstanceRecord i in frame.Instances)
            {
                if (className is not null && !string.Equals(i.ClassName, className, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (i.TrackId is not long id)
                {
                    untracked++;
                    continue;
                }

                output.Write(string.Create(CultureInfo.InvariantCulture, $"{frame.Frame + 1},{id},{i.X1:0.###},{i.Y1:0.###},{i.X2 - i.X1:0.###},{i.Y2 - i.Y1:0.###},{i.Score:0.#####},-1,-1,-1"));
                output.Write('\n');
                written++;
            }
        }

        return (written, untracked);
    }
}
