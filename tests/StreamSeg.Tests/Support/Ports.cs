using System.Net;
using System.Net.Sockets;

namespace StreamSeg.Tests.Support;

/// <summary>Loopback TCP ports for the real peers (relays, brokers, servers) that tests start.</summary>
internal static class Ports
{
    /// <summary>Returns a TCP port on loopback that is free now (the kernel's pick; released before returning).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Gets whether something accepts TCP connections on loopback <paramref name="port"/>.</summary>
    public static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
