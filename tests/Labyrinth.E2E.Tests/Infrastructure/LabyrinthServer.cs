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
    private readonly IReadOnlyDictionary<string, string> _settings;

    private LabyrinthServer(string dataDir, bool ownsDataDir, int port, IReadOnlyDictionary<string, string> settings)
    {
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _settings = settings;
        UseKestrel(port);
    }

    public string DataDir { get; }

    /// <summary>Origin the browser uses, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    public int Port { get; private set; }

    public IReadOnlyCollection<CapturedLog> Logs => _logs.ToArray();

    /// <summary>
    /// Starts a host on a fresh, empty data directory (first run: no users yet), with extra
    /// configuration when a test needs another set-up (e.g. "Labyrinth:Cards:OriginTemplate").
    /// </summary>
    public static LabyrinthServer StartNew(IReadOnlyDictionary<string, string>? settings = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "labyrinth-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return Start(dir, ownsDataDir: true, port: 0, settings ?? new Dictionary<string, string>());
    }

    /// <summary>Starts a host on <paramref name="dataDir"/> (prepared by the caller, deleted on dispose): one instance of a cluster.</summary>
    public static LabyrinthServer StartOn(string dataDir, IReadOnlyDictionary<string, string> settings) =>
        Start(dataDir, ownsDataDir: true, port: 0, settings);

    private static LabyrinthServer Start(string dataDir, bool ownsDataDir, int port, IReadOnlyDictionary<string, string> settings)
    {
        var server = new LabyrinthServer(dataDir, ownsDataDir, port, settings);
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
        var settings = _settings;
        await StopKeepingDataAsync();
        return Start(dir, owns, port, settings);
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
        // The sandbox probe (escapes, a spinner, a broken card, an attacker) is installed for tests only.
        builder.UseSetting("Labyrinth:InstallTestPlugins", "true");
        // Every test signs in through the UI; do not let the per-IP login limit decide the outcome.
        builder.UseSetting("Labyrinth:LoginAttemptsPerMinute", "1000");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CaptureProvider(_logs)));
    }

    /// <summary>Waits for the first-run setup URL in category "Labyrinth.Setup" and returns its token.</summary>
    public async Task<string> WaitForSetupTokenAsync(TimeSpan? timeout = null)
    {
        // What the host logged under Labyrinth.Setup so far; on timeout the failure shows it.
        var setupLog = await Eventually.ReachAsync(
            () => Task.FromResult(string.Join("\n", _logs.Where(l => l.Category == "Labyrinth.Setup").Select(l => l.Message))),
            text => SetupTokenRegex().IsMatch(text),
            "the host logged the setup URL (category Labyrinth.Setup)",
            timeout ?? TimeSpan.FromSeconds(10));
        var match = SetupTokenRegex().Match(setupLog);
        return Uri.UnescapeDataString(match.Groups[1].Value);
    }

    /// <summary>The setup URL on <see cref="BaseUrl"/> (the logged one names localhost).</summary>
    public async Task<string> SetupUrlAsync() => $"{BaseUrl}/setup#token={Uri.EscapeDataString(await WaitForSetupTokenAsync())}";

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

    [GeneratedRegex(@"/setup#token=(\S+)")]
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
