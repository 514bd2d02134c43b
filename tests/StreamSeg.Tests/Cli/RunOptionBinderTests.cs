using System.CommandLine;
using System.Text.Json;
using StreamSeg.Cli.CommandLine;
using StreamSeg.Configuration;
using StreamSeg.Tests.Support;

namespace StreamSeg.Tests.Cli;

/// <summary>The one binder of run's options and the YAML config: every flag sets what its config key sets, and a flag wins over the file.</summary>
public class RunOptionBinderTests
{
    /// <summary>Each run flag (with its value) and the YAML that sets the same setting; every flag of the binder is here (checked below).</summary>
    public static TheoryData<string[], string> FlagsAndKeys => new()
    {
        { ["--source", "a.mp4"], "sources:\n  - uri: a.mp4\n" },
        { ["--source", "a.mp4", "--loop"], "sources:\n  - uri: a.mp4\n    loop: true\n" },
        { ["--source", "a.mp4", "--rtsp-transport", "udp"], "sources:\n  - uri: a.mp4\n    rtsp_transport: udp\n" },
        { ["--model", "m.onnx"], "model: m.onnx\n" },
        { ["--pose-model", "p.onnx"], "pose_model: p.onnx\n" },
        { ["--adapter", "yolo-seg"], "adapter: yolo-seg\n" },
        { ["--detector", "centernet"], "detector: centernet\n" },
        { ["--pose-size", "256"], "pose_size: 256\n" },
        { ["--pose-size", "384,256"], "pose_size: 384,256\n" },
        { ["--models-dir", "/srv/models"], "models_dir: /srv/models\n" },
        { ["--device", "cpu"], "device: cpu\n" },
        { ["--threads", "3"], "threads: 3\n" },
        { ["--model-concurrency", "1"], "model_concurrency: 1\n" },
        { ["--preprocess-workers", "2"], "preprocess_workers: 2\n" },
        { ["--batch", "4"], "batch: 4\n" },
        { ["--upload", "uint8"], "upload: uint8\n" },
        { ["--engine-cache", "/srv/engines"], "engine_cache: /srv/engines\n" },
        { ["--conf", "0.4"], "confidence: 0.4\n" },
        { ["--iou", "0.6"], "iou: 0.6\n" },
        { ["--out", "o.mp4"], "out: o.mp4\n" },
        { ["--meta", "m.ndjson"], "meta: m.ndjson\n" },
        { ["--show"], "show: true\n" },
        { ["--publish", "rtsp://relay/out"], "publish: rtsp://relay/out\n" },
        { ["--publish-transport", "tcp"], "publish_transport: tcp\n" },
        { ["--http", "127.0.0.1:8080"], "http: 127.0.0.1:8080\n" },
        { ["--mqtt", "mqtt://broker/streamseg"], "mqtt: mqtt://broker/streamseg\n" },
        { ["--max-frames", "7"], "max_frames: 7\n" },
        { ["--pace"], "pace: true\n" },
        { ["--stall-timeout", "2.5"], "stall_timeout: 2.5\n" },
        { ["--no-reconnect"], "reconnect: false\n" },
        { ["--reconnect-attempts", "3"], "reconnect_attempts: 3\n" },
        { ["--no-track"], "track: false\n" },
        { ["--track"], "track: true\n" },
        { ["--track-thresh", "0.3"], "track_threshold: 0.3\n" },
        { ["--smooth"], "smooth: true\n" },
        { ["--no-smooth"], "smooth: false\n" },
        { ["--no-masks"], "overlay:\n  masks: false\n" },
        { ["--no-boxes"], "overlay:\n  boxes: false\n" },
        { ["--no-labels"], "overlay:\n  labels: false\n" },
        { ["--no-keypoints"], "overlay:\n  keypoints: false\n" },
        { ["--no-hud"], "overlay:\n  hud: false\n" },
        { ["--report-every", "10"], "report_every: 10\n" },
        { ["--log-format", "json"], "log_format: json\n" },
    };

    private static RunConfig Bind(params string[] args)
    {
        var global = new GlobalOptions();
        var binder = new RunOptionBinder(global);
        var run = new Command("run");
        binder.AddTo(run);
        var root = new RootCommand { run };
        root.Options.Add(global.LogFormat);
        ParseResult result = root.Parse(["run", .. args]);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.Message)));
        return binder.Bind(result);
    }

    private static string Json(RunConfig config) => JsonSerializer.Serialize(config);

    [Theory]
    [MemberData(nameof(FlagsAndKeys))]
    public void Flag_SetsWhatItsConfigKeySets(string[] flags, string yaml)
    {
        using var dir = new TempDirectory();
        string file = dir.File("c.yaml");
        File.WriteAllText(file, yaml);
        string fromFlags = Json(Bind(flags));
        string fromFile = Json(Bind("--config", file));
        Assert.Equal(fromFile, fromFlags);
        Assert.NotEqual(Json(new RunConfig()), fromFlags); // the flag did set something
    }

    [Fact]
    public void EveryRunOption_HasAConfigKeyCase()
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (object[] row in FlagsAndKeys)
        {
            covered.UnionWith(((string[])row[0]).Where(a => a.StartsWith("--", StringComparison.Ordinal)));
        }

        var global = new GlobalOptions();
        string[] options = [.. new RunOptionBinder(global).Options.Select(o => o.Name).Where(n => n != "--config"), global.LogFormat.Name];
        string[] missing = [.. options.Where(o => !covered.Contains(o))];
        Assert.True(missing.Length == 0, "no flag/config-key case for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Flag_OverridesTheConfigFile_AndLeavesItsOtherKeys()
    {
        using var dir = new TempDirectory();
        string file = dir.File("c.yaml");
        File.WriteAllText(file, "sources:\n  - uri: file.mp4\n    loop: false\niou: 0.5\ndevice: cuda\noverlay:\n  masks: false\nlog_format: json\n");
        RunConfig c = Bind("--config", file, "--iou", "0.3", "--loop", "--log-format", "text");
        Assert.Equal(0.3f, c.Iou);
        Assert.Equal("text", c.LogFormat);
        Assert.Equal("cuda", c.Device);
        Assert.False(c.Overlay.Masks);
        Assert.Equal("file.mp4", Assert.Single(c.Sources).Uri);
        Assert.True(c.Sources[0].Loop); // --loop applies to the file's sources too

        RunConfig replaced = Bind("--config", file, "--source", "a.mp4", "--source", "b.mp4");
        Assert.Equal(["a.mp4", "b.mp4"], replaced.Sources.Select(s => s.Uri));
    }

    [Fact]
    public void OptionGivenTwice_TheLastWins()
    {
        // ./run.sh puts the user's arguments after its own defaults so that they override them.
        RunConfig c = Bind("--source", "a.mp4", "--out", "default.mp4", "--conf", "0.2", "--model", "a.onnx", "--out", "mine.mp4", "--conf", "0.3");
        Assert.Equal(("mine.mp4", 0.3f, "a.onnx"), (c.Out, c.Confidence, c.Model));
    }

    [Fact]
    public void BadFlagValue_IsRefusedWithTheOptionsName()
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => Bind("--source", "a.mp4", "--device", "gpu9"));
        Assert.Contains("device 'gpu9'", ex.Message, StringComparison.Ordinal);
        ConfigException format = Assert.Throws<ConfigException>(() => RunConfigLoader.Parse("log_format: xml\n", "l.yaml"));
        Assert.Contains("log_format 'xml' is not text or json", format.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--sauce", "a.mp4", "--sauce")]
    [InlineData("run", "--conf", "high", "Option '--conf': 'high' is not a number")]
    [InlineData("run", "--max-frames", "1.5", "Option '--max-frames': '1.5' is not a whole number")]
    [InlineData("run", "--log-format", "xml", "Option '--log-format': 'xml' is not text or json")]
    [InlineData("bench", "--loop", "x", "--loop")]
    [InlineData("models", "info", "--fp32", "--fp32")]
    public void BadArgument_Exit2_OneLineNamingIt(string command, string arg, string value, string expected)
    {
        string[] args = command == "models" ? [command, arg, TestPaths.Model("yolo-seg.onnx"), value] : [command, "--source", "a.mp4", arg, value];
        CliRunner.Result r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}; stderr: {r.StdErr}");
        string[] lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("streamseg: error: ", StringComparison.Ordinal), "expected one error line, got: " + r.StdErr);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Empty(r.StdOut);
    }
}
