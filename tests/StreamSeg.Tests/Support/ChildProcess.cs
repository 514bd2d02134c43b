using System.Diagnostics;

namespace StreamSeg.Tests.Support;

/// <summary>Starts and stops the external programs (relays, brokers, encoders, viewers) that tests run as real peers.</summary>
internal static class ChildProcess
{
    /// <summary>
    /// Starts <paramref name="exe"/> with <paramref name="args"/>, reading both of its outputs line by line so that
    /// neither pipe fills; <paramref name="onOutputLine"/> and <paramref name="onErrorLine"/> see those lines.
    /// </summary>
    public static Process Start(string exe, IEnumerable<string> args, Action<string>? onOutputLine = null, Action<string>? onErrorLine = null)
    {
        var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onOutputLine?.Invoke(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onErrorLine?.Invoke(e.Data);
            }
        };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    /// <summary>
    /// Kills each process with its children (as a crash would), waits up to 5 s for it to exit and disposes it, in order.
    /// Null entries and processes that have already exited are fine: cleanup in <c>finally</c> blocks passes whatever it has.
    /// </summary>
    public static void Stop(params ReadOnlySpan<Process?> processes)
    {
        foreach (Process? p in processes)
        {
            if (p is null)
            {
                continue;
            }

            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }
    }

    /// <summary>Gets whether the process with id <paramref name="pid"/> has exited (or is gone altogether).</summary>
    public static bool HasExited(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process any more
        }
    }
}
