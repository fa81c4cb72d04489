using Labyrinth.Host.Infrastructure;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>Installs the example plugins built from plugins/*/dist at start, through the same store as any plugin.</summary>
internal sealed partial class ExamplePlugins(HostPaths paths, PluginStore store, ILogger<ExamplePlugins> logger)
{
    public async Task InstallAsync(CancellationToken ct)
    {
        if (paths.ExamplePluginsDir is null || !Directory.Exists(paths.ExamplePluginsDir))
        {
            return;
        }

        foreach (var pluginDir in Directory.EnumerateDirectories(paths.ExamplePluginsDir).Order(StringComparer.Ordinal))
        {
            var dist = Path.Combine(pluginDir, "dist");
            if (!File.Exists(Path.Combine(dist, "manifest.json")))
            {
                continue;
            }

            var outcome = await store.InstallDirectoryAsync(dist, replaceSameVersion: true, ct);
            if (outcome.Status == InstallStatus.Rejected)
            {
                LogRejected(logger, Path.GetFileName(pluginDir), string.Join("; ", outcome.Problems.Select(p => $"{p.Pointer} {p.Message}")));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Example plugin {Name} was not installed: {Problems}")]
    private static partial void LogRejected(ILogger logger, string name, string problems);
}
