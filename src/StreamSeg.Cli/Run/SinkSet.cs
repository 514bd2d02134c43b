using StreamSeg.Pipeline;
using StreamSeg.Sinks;
using StreamSeg.Web;

namespace StreamSeg.Cli.Run;

/// <summary>The sinks of one run, bound to their edges, with the web view server that serves one of them; disposing it closes them all.</summary>
internal sealed class SinkSet : IAsyncDisposable
{
    private WebViewServer? _web;

    /// <summary>Gets the sinks with their edge options, in the order the pipeline fans out to them.</summary>
    public List<SinkBinding> Bindings { get; } = [];

    /// <summary>Gets the sinks that report source health (web view, MQTT), to be told of reconnects.</summary>
    public List<IHealthSink> HealthSinks { get; } = [];

    /// <summary>Gets or sets the web view server (<c>--http</c>), stopped on disposal before the sinks are.</summary>
    public WebViewServer? Web
    {
        get => _web;
        set => _web = value;
    }

    /// <summary>Adds a sink bound to <paramref name="edge"/>; a sink that reports source health is noted as one.</summary>
    public void Add(ISink sink, EdgeOptions edge)
    {
        Bindings.Add(new SinkBinding(sink, edge));
        if (sink is IHealthSink health)
        {
            HealthSinks.Add(health);
        }
    }

    /// <summary>Stops the web view server (if any): its clients go before the stages and sinks are closed.</summary>
    public async ValueTask DisposeWebAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync().ConfigureAwait(false);
            _web = null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DisposeWebAsync().ConfigureAwait(false);
        foreach (SinkBinding binding in Bindings)
        {
            await binding.Sink.DisposeAsync().ConfigureAwait(false);
        }

        Bindings.Clear();
    }
}
