using System.Globalization;
using Akka.Cluster;

namespace StreamSeg.Cluster;

/// <summary>
/// A node's <c>--max-streams</c>, carried in its cluster roles (<c>max-streams-N</c>; Akka.Hosting writes roles into HOCON unquoted, so no colon) so that the shard coordinator
/// and the reconciler, which run on other nodes, see every node's capacity through Akka's membership gossip.
/// </summary>
internal static class NodeCapacity
{
    private const string RolePrefix = "max-streams-";

    /// <summary>Gets the role that announces <paramref name="maxStreams"/> (0: unbounded).</summary>
    public static string Role(int maxStreams) => RolePrefix + maxStreams.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets <paramref name="member"/>'s capacity; 0 when unbounded or not announced.</summary>
    public static int Of(Member member)
    {
        foreach (string role in member.Roles)
        {
            if (role.StartsWith(RolePrefix, StringComparison.Ordinal)
                && int.TryParse(role.AsSpan(RolePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int max))
            {
                return max;
            }
        }

        return 0;
    }
}
