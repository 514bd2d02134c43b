namespace StreamSeg.Cluster;

/// <summary>How <see cref="DiscoverySeeder"/> finds the other nodes' cluster endpoints.</summary>
public enum BootstrapDiscovery
{
    /// <summary>
    /// Akka.Discovery.KubernetesApi: the running pods labelled <c>app=&lt;service name&gt;</c> in the pod's namespace,
    /// at their IP and their container port named <see cref="ClusterBootstrapSettings.PortName"/>.
    /// </summary>
    Kubernetes,

    /// <summary>Akka.Discovery's config method: a fixed list of endpoints (<c>host:port</c>), e.g. nodes on one machine.</summary>
    Config,
}
