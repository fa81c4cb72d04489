using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>One log line the host wrote.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message);

/// <summary>
/// The real host on a real socket (Kestrel, random port) over a temporary data directory, with
/// its logs captured so tests can read the first-run setup URL. <see cref="RestartAsync"/> stops it
/// and starts a new one on the same data directory and port (persistence across restarts).
/// </summary>
public sealed partial class LabyrinthServer : WebApplicationFactory<Program>
{
    private readonly ConcurrentQueue<CapturedLog> _logs = new();
    private readonly bool _ownsDataDir;

    private readonly bool _shippedPlugins;

    private LabyrinthServer(string dataDir, bool ownsDataDir, int port, bool shippedPlugins)
    {
        _shippedPlugins = shippedPlugins;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        UseKestrel(port);
    }

    public string DataDir { get; }

    /// <summary>Origin the browser uses, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public int Port { get; private set; }

    public IReadOnlyCollection<CapturedLog> Logs => _logs.ToArray();

    /// <summary>Starts a host on a fresh, empty data directory (first run: no users yet).</summary>
    /// <param name="shippedPlugins">Install plugins/*/dist exactly as built (default: <see cref="ExamplePluginsCopy"/>).</param>
    public static LabyrinthServer StartNew(bool shippedPlugins = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "labyrinth-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return Start(dir, ownsDataDir: true, port: 0, shippedPlugins);
    }

    private static LabyrinthServer Start(string dataDir, bool ownsDataDir, int port, bool shippedPlugins)
    {
        var server = new LabyrinthServer(dataDir, ownsDataDir, port, shippedPlugins);
        server.StartServer();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? throw new InvalidOperationException("Kestrel reported no address.");
        var uri = new Uri(address.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://localhost", "://127.0.0.1", StringComparison.Ordinal));
        server.Port = uri.Port;
        server.BaseUrl = $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        return server;
    }

    /// <summary>Stops this host and starts another one on the same data directory and port.</summary>
    public async Task<LabyrinthServer> RestartAsync()
    {
        var dir = DataDir;
        var port = Port;
        var owns = _ownsDataDir;
        var shipped = _shippedPlugins;
        await StopKeepingDataAsync();
        return Start(dir, owns, port, shipped);
    }

    private bool _keepData;

    private async Task StopKeepingDataAsync()
    {
        _keepData = true;
        await DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Labyrinth:DataDir", DataDir);
        if (!_shippedPlugins)
        {
            builder.UseSetting("Labyrinth:ExamplePluginsDir", ExamplePluginsCopy.Value);
        }

        // Every test signs in through the UI; do not let the per-IP login limit decide the outcome.
        builder.UseSetting("Labyrinth:LoginAttemptsPerMinute", "1000");
        builder.ConfigureLogging(logging => logging.AddProvider(new CaptureProvider(_logs)));
    }

    /// <summary>Waits for the first-run setup URL in category "Labyrinth.Setup" and returns its token.</summary>
    public async Task<string> WaitForSetupTokenAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            foreach (var log in _logs)
            {
                if (log.Category == "Labyrinth.Setup")
                {
                    var m = SetupTokenRegex().Match(log.Message);
                    if (m.Success)
                    {
                        return Uri.UnescapeDataString(m.Groups[1].Value);
                    }
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The host never logged the setup URL. Logs:\n" + string.Join("\n", _logs.Select(l => $"{l.Category}: {l.Message}")));
    }

    /// <summary>The setup URL on <see cref="BaseUrl"/> (the logged one names localhost).</summary>
    public async Task<string> SetupUrlAsync() => $"{BaseUrl}/setup?token={Uri.EscapeDataString(await WaitForSetupTokenAsync())}";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDataDir && !_keepData)
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// plugins/*/dist copied once per run. WORKAROUND (remove when fixed): the host refuses
    /// `"propsSchema": null` (PropsValidator.CheckSchema) although docs/api.md allows null, so the
    /// probe plugin (spin, broken) is not installed; the copy drops those null keys so the sandbox
    /// tests can run. <c>PluginTests.Shipped_example_plugins_all_install</c> keeps the bug visible.
    /// </summary>
    public static readonly Lazy<string> ExamplePluginsCopy = new(() =>
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Labyrinth.slnx")))
        {
            root = root.Parent;
        }

        var source = Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "plugins");
        var target = Path.Combine(Path.GetTempPath(), "labyrinth-e2e-plugins-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var plugin in Directory.EnumerateDirectories(source))
        {
            var dist = Path.Combine(plugin, "dist");
            if (!Directory.Exists(dist))
            {
                continue;
            }

            var to = Path.Combine(target, Path.GetFileName(plugin), "dist");
            foreach (var file in Directory.EnumerateFiles(dist, "*", SearchOption.AllDirectories))
            {
                var dest = Path.Combine(to, Path.GetRelativePath(dist, file));
                Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                File.Copy(file, dest);
            }

            var manifest = Path.Combine(to, "manifest.json");
            if (File.Exists(manifest))
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
                var changed = false;
                foreach (var card in node["cards"]?.AsArray() ?? [])
                {
                    if (card is System.Text.Json.Nodes.JsonObject o && o.ContainsKey("propsSchema") && o["propsSchema"] is null)
                    {
                        o.Remove("propsSchema");
                        changed = true;
                    }
                }

                if (changed)
                {
                    File.WriteAllText(manifest, node.ToJsonString());
                    File.Delete(manifest + ".br");
                    File.Delete(manifest + ".gz");
                }
            }
        }

        return target;
    });

    [GeneratedRegex(@"/setup\?token=(\S+)")]
    private static partial Regex SetupTokenRegex();

    private sealed class CaptureProvider(ConcurrentQueue<CapturedLog> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CaptureLogger(categoryName, sink);

        public void Dispose()
        {
        }
    }

    private sealed class CaptureLogger(string category, ConcurrentQueue<CapturedLog> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception)));
            }
        }
    }
}
