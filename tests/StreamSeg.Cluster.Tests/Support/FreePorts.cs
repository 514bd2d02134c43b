using System.Net;
using System.Net.Sockets;

namespace StreamSeg.Cluster.Tests.Support;

/// <summary>Loopback TCP ports that the OS says are free (asked all at once so they differ).</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (TcpListener? listener in listeners)
            {
                listener?.Stop();
                listener?.Dispose();
            }
        }
    }
}
