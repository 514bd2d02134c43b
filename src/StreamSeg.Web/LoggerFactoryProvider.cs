using Microsoft.Extensions.Logging;

namespace StreamSeg.Web;

/// <summary>Hands the web host's loggers (Kestrel, routing, hosting) to the caller's <see cref="ILoggerFactory"/>.</summary>
/// <remarks>The factory belongs to the caller: disposing the provider, as the web host does when it stops, leaves it alone.</remarks>
internal sealed class LoggerFactoryProvider(ILoggerFactory loggerFactory) : ILoggerProvider
{
    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => loggerFactory.CreateLogger(categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Not ours to dispose (see remarks).
    }
}
