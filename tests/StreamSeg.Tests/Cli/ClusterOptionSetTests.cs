using System.CommandLine;
using StreamSeg.Cli.Serve;
using StreamSeg.Cluster;
using StreamSeg.Configuration;

namespace StreamSeg.Tests.Cli;

/// <summary><c>serve</c>'s cluster flags, <c>--cluster-bootstrap</c> and its companions among them, as the deploy manifests pass them.</summary>
public class ClusterOptionSetTests
{
    [Fact]
    public void The_kubernetes_manifest_flags_give_kubernetes_bootstrap_with_no_seeds()
    {
        ClusterNodeOptions? options = Bind("--cluster", "--cluster-host", "10.1.2.3", "--cluster-port", "4053", "--cluster-bootstrap", "kubernetes", "--bootstrap-contact-points", "3");
        Assert.NotNull(options);
        Assert.Equal("10.1.2.3", options.Host);
        Assert.Equal(4053, options.Port);
        Assert.Empty(options.Seeds);
        ClusterBootstrapSettings bootstrap = Assert.IsType<ClusterBootstrapSettings>(options.Bootstrap);
        Assert.Equal(BootstrapDiscovery.Kubernetes, bootstrap.Discovery);
        Assert.Equal(3, bootstrap.RequiredContactPoints);
        Assert.Equal("remoting", bootstrap.PortName);
    }

    [Fact]
    public void Config_bootstrap_takes_its_endpoints_and_the_default_contact_points_and_keeps_loopback_timing()
    {
        ClusterNodeOptions? options = Bind("--cluster", "--cluster-port", "2551", "--cluster-bootstrap", "config", "--bootstrap-endpoint", "127.0.0.1:2551", "--bootstrap-endpoint", "127.0.0.1:2552", "--cluster-timing", "loopback");
        ClusterBootstrapSettings bootstrap = Assert.IsType<ClusterBootstrapSettings>(options?.Bootstrap);
        Assert.Equal(BootstrapDiscovery.Config, bootstrap.Discovery);
        Assert.Equal(["127.0.0.1:2551", "127.0.0.1:2552"], bootstrap.Endpoints);
        Assert.Equal(2, bootstrap.RequiredContactPoints);
        Assert.Equal(TimeSpan.FromSeconds(1), bootstrap.StableMargin);
        Assert.Equal(new ClusterNodeOptions().ForLoopbackTests().StableAfter, options!.StableAfter);
    }

    [Fact]
    public void Without_bootstrap_there_is_none()
    {
        ClusterNodeOptions? options = Bind("--cluster", "--cluster-port", "2551", "--seed", "127.0.0.1:2551");
        Assert.Null(options?.Bootstrap);
        Assert.Null(Bind());
    }

    [Theory]
    [InlineData("need '--cluster'", "--cluster-bootstrap", "kubernetes")]
    [InlineData("need '--cluster'", "--bootstrap-contact-points", "2")]
    [InlineData("need '--cluster'", "--bootstrap-endpoint", "127.0.0.1:2551")]
    [InlineData("need '--cluster-bootstrap'", "--cluster", "--bootstrap-endpoint", "127.0.0.1:2551")]
    [InlineData("need '--cluster-bootstrap'", "--cluster", "--bootstrap-contact-points", "2")]
    [InlineData("'--seed': not with '--cluster-bootstrap'", "--cluster", "--cluster-bootstrap", "kubernetes", "--seed", "a:1")]
    [InlineData("'dns' is not kubernetes or config", "--cluster", "--cluster-bootstrap", "dns")]
    [InlineData("needs '--bootstrap-endpoint host:port'", "--cluster", "--cluster-bootstrap", "config")]
    [InlineData("only with '--cluster-bootstrap config'", "--cluster", "--cluster-bootstrap", "kubernetes", "--bootstrap-endpoint", "a:1")]
    [InlineData("'a' is not host:port", "--cluster", "--cluster-bootstrap", "config", "--bootstrap-endpoint", "a")]
    [InlineData("must be 1 or more", "--cluster", "--cluster-bootstrap", "kubernetes", "--bootstrap-contact-points", "0")]
    public void Bad_bootstrap_flags_are_refused_naming_the_flag(string message, params string[] args)
    {
        var error = Assert.Throws<ConfigException>(() => Bind(args));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static ClusterNodeOptions? Bind(params string[] args)
    {
        var set = new ClusterOptionSet();
        var command = new Command("serve");
        set.AddTo(command);
        ParseResult result = command.Parse(args);
        Assert.Empty(result.Errors);
        return set.Bind(result);
    }
}
