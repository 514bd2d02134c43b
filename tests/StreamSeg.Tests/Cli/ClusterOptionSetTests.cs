using System.CommandLine;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Cli.Serve;
using StreamSeg.Cluster;
using StreamSeg.Configuration;
using YamlDotNet.RepresentationModel;

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
    public void The_statefulset_args_are_serve_flags_that_give_kubernetes_bootstrap()
    {
        string[] args = StatefulSetArgs();
        Assert.Equal("serve", args[0]);

        // Every flag of the manifest exists: the CLI refuses unknown ones, which would fail the pods at start.
        ParseResult parsed = CliApp.CreateRoot(new GlobalOptions()).Parse(args);
        Assert.Empty(parsed.Errors);

        var set = new ClusterOptionSet();
        var command = new Command("serve") { TreatUnmatchedTokensAsErrors = false };
        set.AddTo(command);
        ClusterNodeOptions? options = set.Bind(command.Parse(args[1..]));
        Assert.NotNull(options);
        Assert.Equal("10.1.2.3", options.Host);
        Assert.Empty(options.Seeds);
        ClusterBootstrapSettings bootstrap = Assert.IsType<ClusterBootstrapSettings>(options.Bootstrap);
        Assert.Equal(BootstrapDiscovery.Kubernetes, bootstrap.Discovery);
        Assert.Equal(2, bootstrap.RequiredContactPoints);

        // Discovery finds the pods by the port name and label the manifest gives them.
        string yaml = File.ReadAllText(StatefulSetPath());
        Assert.Contains($"- name: {bootstrap.PortName}\n              containerPort: {options.Port}", yaml, StringComparison.Ordinal);
        Assert.Contains($"app: {new ClusterNodeOptions().SystemName}", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_keys_set_the_cluster_and_flags_win_over_them()
    {
        RunConfig file = RunConfigLoader.Parse(
            "cluster: true\ncluster_port: 2551\ncluster_host: 10.0.0.1\nseeds: [\"10.0.0.1:2551\", \"10.0.0.2:2551\"]\ncluster_timing: loopback\n",
            "node.yaml");
        ClusterNodeOptions? fromFile = BindWith(file);
        Assert.NotNull(fromFile);
        Assert.Equal(2551, fromFile.Port);
        Assert.Equal("10.0.0.1", fromFile.Host);
        Assert.Equal(["10.0.0.1:2551", "10.0.0.2:2551"], fromFile.Seeds);
        Assert.Equal(new ClusterNodeOptions().ForLoopbackTests().StableAfter, fromFile.StableAfter);

        ClusterNodeOptions? flagsWin = BindWith(file, "--cluster-port", "3000", "--cluster-host", "10.0.0.9", "--seed", "10.0.0.9:3000", "--cluster-timing", "production");
        Assert.NotNull(flagsWin);
        Assert.Equal(3000, flagsWin.Port);
        Assert.Equal("10.0.0.9", flagsWin.Host);
        Assert.Equal(["10.0.0.9:3000"], flagsWin.Seeds);
        Assert.Equal(new ClusterNodeOptions().StableAfter, flagsWin.StableAfter);

        // --cluster-port 0 given on the command line wins over the key too.
        Assert.Equal(0, BindWith(file, "--cluster-port", "0")!.Port);
    }

    [Fact]
    public void Bootstrap_config_keys_work_like_their_flags()
    {
        RunConfig file = RunConfigLoader.Parse(
            "cluster: true\ncluster_bootstrap: config\nbootstrap_contact_points: 3\nbootstrap_endpoints: [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:3\"]\n",
            "node.yaml");
        ClusterBootstrapSettings bootstrap = Assert.IsType<ClusterBootstrapSettings>(BindWith(file)?.Bootstrap);
        Assert.Equal(BootstrapDiscovery.Config, bootstrap.Discovery);
        Assert.Equal(3, bootstrap.RequiredContactPoints);
        Assert.Equal(3, bootstrap.Endpoints.Count);
    }

    [Theory]
    [InlineData("cluster_port: 2551\n", "need cluster: true")]
    [InlineData("seeds: [\"a:1\"]\n", "need cluster: true")]
    [InlineData("cluster: true\ncluster_timing: fast\n", "'fast' is not production or loopback")]
    [InlineData("cluster: true\nseeds: [\"nohost\"]\n", "'nohost' is not host:port")]
    [InlineData("cluster: true\ncluster_bootstrap: kubernetes\nseeds: [\"a:1\"]\n", "not with '--cluster-bootstrap'")]
    public void Bad_cluster_keys_are_refused(string yaml, string message)
    {
        RunConfig file = RunConfigLoader.Parse(yaml, "node.yaml");
        var error = Assert.Throws<ConfigException>(() => BindWith(file));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_key_of_the_wrong_type_is_refused_by_the_loader()
    {
        var error = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("cluster_port: many\n", "node.yaml"));
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
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

    private static string StatefulSetPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StreamSeg.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "deploy", "k8s", "statefulset.yaml");
    }

    /// <summary>The args of the StatefulSet's container, with the pod's name and IP as Kubernetes fills them in.</summary>
    private static string[] StatefulSetArgs()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(StatefulSetPath()))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var podSpec = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["spec"])["template"])["spec"];
        var container = (YamlMappingNode)((YamlSequenceNode)podSpec["containers"])[0];
        return [.. ((YamlSequenceNode)container["args"]).Select(n => ((YamlScalarNode)n).Value!.Replace("$(POD_NAME)", "streamseg-0", StringComparison.Ordinal).Replace("$(POD_IP)", "10.1.2.3", StringComparison.Ordinal))];
    }

    private static ClusterNodeOptions? BindWith(RunConfig file, params string[] args)
    {
        var set = new ClusterOptionSet();
        var command = new Command("serve");
        set.AddTo(command);
        ParseResult result = command.Parse(args);
        Assert.Empty(result.Errors);
        return set.Bind(result, file);
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
