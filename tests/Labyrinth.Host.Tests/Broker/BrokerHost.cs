using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.FakeUpstream;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Broker;
using Labyrinth.Host.Tests.Governance;
using Labyrinth.Core.Signing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>
/// The host with an injectable DNS resolver, a data directory the test can scan, and every log line
/// captured. Built here rather than with LabyrinthApp because the broker's SSRF tests must replace
/// a service (IDnsResolver).
/// </summary>
internal sealed class BrokerFactory(string dataDir, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public CapturedLogs Logs { get; } = new();

    public FakeDns Dns { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Labyrinth:DataDir", dataDir);
        builder.UseSetting("Labyrinth:ExamplePluginsDir", "");
        builder.UseSetting("Labyrinth:LoginAttemptsPerMinute", "100000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        // Everything, from every category, so "the secret is in no log line" means something.
        foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http", "Polly" })
        {
            builder.UseSetting($"Logging:LogLevel:{category}", "Trace");
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureTestServices(services => services.AddSingleton<IDnsResolver>(Dns));
    }
}

/// <summary>Maps chosen names to addresses; everything else goes to the system resolver.</summary>
internal sealed class FakeDns : IDnsResolver
{
    public Dictionary<string, IPAddress[]> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : System.Net.Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// One host + one fake upstream per test class: an installed plugin whose card requests every
/// service the tests use, the services defined through the admin API, and a shared key stored.
/// Each test arranges its own member, board and card, so tests stay independent.
/// </summary>
public sealed class BrokerHost : IAsyncLifetime
{
    public const string Secret = "sk-fake-broker-secret-0123456789abcdef";
    public const string PluginId = "dev.test.netcard";
    public const string PublicLookingName = "api.public-looking.test";

    /// <summary>Services whose address must be refused (no allowPrivateNetwork), by id → base URL template ({port}).</summary>
    public static readonly IReadOnlyDictionary<string, string> ForbiddenTargets = new Dictionary<string, string>
    {
        ["ssrf-loopback"] = "http://127.0.0.1:{port}/v1",
        ["ssrf-localhost"] = "http://localhost:{port}/v1",
        ["ssrf-v6-loopback"] = "http://[::1]:{port}/v1",
        ["ssrf-v4-mapped"] = "http://[::ffff:127.0.0.1]:{port}/v1",
        ["ssrf-private"] = "http://10.0.0.1:{port}/v1",
        ["ssrf-metadata"] = "http://169.254.169.254/v1",
        ["ssrf-cgnat"] = "http://100.64.0.1:{port}/v1",
        ["ssrf-unspecified"] = "http://0.0.0.0:{port}/v1",
        ["ssrf-dns-rebind"] = "http://" + PublicLookingName + ":{port}/v1",
    };

    private static readonly string[] OtherServices = ["fake", "disabled", "nosecret", "tiny", "slow", "closed", "qkey", "other-host", "nostream", "bursty"];

    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "labyrinth-broker-" + Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyDictionary<string, string?>? settings;
    private HttpClient admin = null!;

    public BrokerHost()
    {
    }

    /// <summary>A host with extra settings, for a test that owns it (not a class fixture: those need one public constructor).</summary>
    internal BrokerHost(IReadOnlyDictionary<string, string?> settings)
    {
        this.settings = settings;
    }

    internal BrokerFactory App { get; private set; } = null!;

    internal RunningFakeUpstream Upstream { get; private set; } = null!;

    internal string Database => Path.Combine(dataDir, "labyrinth.db");

    internal HttpClient Admin => admin;

    public async ValueTask InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(Secret);
        Upstream.State.ChunkDelay = TimeSpan.Zero;
        App = new BrokerFactory(dataDir, settings);
        App.Dns.Names[PublicLookingName] = [IPAddress.Loopback];
        admin = await SetupAdminAsync();

        using var key = PublisherKey.Generate("Broker tests");
        using (var trusted = await admin.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        var capabilities = OtherServices.Concat(ForbiddenTargets.Keys).Append("ghost").Select(s => "network:" + s).ToArray();
        using (var installed = await Packages.UploadAsync(admin, Packages.Zip(Packages.Sign(Plugin(capabilities), key))))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        var port = Upstream.Address.Port;
        await DefineAsync("fake", Upstream.BaseUrl, ["POST", "GET"], ["/chat/completions", "/models", "/test"], allowPrivate: true);
        await DefineAsync("disabled", Upstream.BaseUrl, ["GET"], ["/models"], allowPrivate: true, enabled: false);
        await DefineAsync("nosecret", Upstream.BaseUrl, ["GET"], ["/models"], allowPrivate: true, secret: false);
        await DefineAsync("tiny", Upstream.BaseUrl, ["GET", "POST"], ["/test", "/models"], allowPrivate: true, maxRequestBytes: 10, maxResponseBytes: 100, ratePerMinute: 2, burst: 2);
        await DefineAsync("nostream", Upstream.BaseUrl, ["GET", "POST"], ["/chat/completions", "/test"], allowPrivate: true, allowStreaming: false);
        // One token every 15 s, so the burst test does not depend on how fast four calls go through.
        await DefineAsync("bursty", Upstream.BaseUrl, ["GET"], ["/models"], allowPrivate: true, ratePerMinute: 4, burst: 3);
        await DefineAsync("slow", Upstream.BaseUrl, ["GET"], ["/test"], allowPrivate: true, timeoutSeconds: 1);
        await DefineAsync("closed", "http://127.0.0.1:1/v1", ["GET"], ["/models"], allowPrivate: true);
        await DefineAsync("qkey", Upstream.Address.ToString().TrimEnd('/') + "/open", ["GET"], ["/echo"], allowPrivate: true,
            secretIn: "query", secretName: "api_key", template: "{secret}");
        await DefineAsync("other-host", $"http://localhost:{port}/v1", ["GET"], ["/models"], allowPrivate: true);
        foreach (var (id, url) in ForbiddenTargets)
        {
            await DefineAsync(id, url.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), ["GET"], ["/models"], allowPrivate: false);
        }
    }

    /// <summary>A fresh member with a board holding one open card of the test plugin.</summary>
    internal async Task<Card> CardAsync(params string[] grants)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..12];
        using (var created = await admin.PostAsJsonAsync("/api/admin/users", new { userName = name, password = LabyrinthApp.Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var client = await ClientAsync();
        using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = name, password = LabyrinthApp.Password }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, login);
        }

        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (_, window) = await Boards.SpawnAsync(client, board, new { kind = "plugin", plugin = new { pluginId = PluginId, typeID = "net" } });
        var card = new Card(this, client, Guid.Parse(board.Id()), window.Id());
        foreach (var service in grants)
        {
            await card.GrantAsync(service);
        }

        return card;
    }

    internal async Task<HttpClient> ClientAsync()
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        client.Timeout = TimeSpan.FromSeconds(60);
        return await Task.FromResult(client);
    }

    /// <summary>Waits (bounded) until the background writer has stored a network log row matching <paramref name="match"/>.</summary>
    internal async Task<NetworkLogEntity> LogRowAsync(Card card, Func<NetworkLogEntity, bool> match)
    {
        var rows = await Eventually.ReachAsync(async () =>
        {
            await using var scope = App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            return await db.NetworkLog.AsNoTracking().Where(l => l.BoardId == card.BoardId && l.WindowId == card.WindowId).ToListAsync();
        }, rows => rows.Any(match), "a matching network log row was written");
        return rows.First(match);
    }

    /// <summary>Every byte of the SQLite database and its WAL, for "the secret is not stored in clear" checks.</summary>
    internal byte[] DatabaseBytes()
    {
        var bytes = new List<byte>();
        foreach (var file in new[] { Database, Database + "-wal" })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes.AddRange(copy.ToArray());
            }
        }

        return [.. bytes];
    }

    /// <summary>Stops the host gracefully (as on SIGTERM) and keeps its data directory.</summary>
    internal async Task StopAsync()
    {
        admin.Dispose();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<HttpClient> SetupAdminAsync()
    {
        _ = App.Services;
        var line = App.Logs.Entries.Last(e => e.Category == "Labyrinth.Setup" && e.Message.Contains("/setup#token=", StringComparison.Ordinal));
        var token = line.Message[(line.Message.IndexOf("/setup#token=", StringComparison.Ordinal) + "/setup#token=".Length)..].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
        var client = await ClientAsync();
        using var response = await client.PostAsJsonAsync("/api/setup", new { token, userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return client;
    }

    private async Task DefineAsync(string id, string baseUrl, string[] methods, string[] prefixes, bool allowPrivate, bool enabled = true, bool secret = true,
        long maxRequestBytes = 1024 * 1024, long maxResponseBytes = 1024 * 1024, int ratePerMinute = 10_000, int timeoutSeconds = 30,
        string secretIn = "header", string secretName = "Authorization", string template = "Bearer {secret}", int? burst = null, bool allowStreaming = true)
    {
        using (var created = await admin.PostAsJsonAsync("/api/admin/services", new
        {
            id,
            displayName = "Service " + id,
            baseUrl,
            methods,
            pathPrefixes = prefixes,
            secret = new { @in = secretIn, name = secretName, template },
            timeoutSeconds,
            maxRequestBytes,
            maxResponseBytes,
            ratePerMinute,
            burst = burst ?? ratePerMinute,
            allowStreaming,
            allowPrivateNetwork = allowPrivate,
            enabled,
        }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        if (secret)
        {
            using var stored = await admin.PostAsJsonAsync("/api/admin/secrets", new { name = id + " key", serviceId = id, value = Secret });
            await Expect.StatusAsync(HttpStatusCode.Created, stored);
        }
    }

    private static Dictionary<string, byte[]> Plugin(string[] capabilities)
    {
        var manifest = new
        {
            id = PluginId,
            name = "Network card",
            version = "1.0.0",
            minHostAPIVersion = "1.0.0",
            cards = new[]
            {
                new { typeID = "net", name = "Net", runtime = new { kind = "web", entry = "cards/net.js" }, defaultSizePt = new { width = 320, height = 240 }, capabilities },
            },
        };
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["cards/net.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() { return () => {}; }"),
        };
    }
}

/// <summary>A member's card on their board, and how a test talks to the broker for it.</summary>
internal sealed record Card(BrokerHost Host, HttpClient Client, Guid BoardId, string WindowId)
{
    public string Url(string service) => $"/api/cards/{BoardId}/{WindowId}/network/{service}";

    /// <summary>Grants network:&lt;service&gt; through the grants endpoint, as the consent dialog does.</summary>
    public async Task GrantAsync(string service)
    {
        using var response = await Client.PostAsJsonAsync($"/api/cards/{BoardId}/{WindowId}/grants", new { capability = "network:" + service });
        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    /// <summary>Revokes through the grants endpoint, as the permissions panel's Revoke button does.</summary>
    public async Task RevokeAsync(string service)
    {
        using var response = await Client.DeleteAsync($"/api/cards/{BoardId}/{WindowId}/grants/{Uri.EscapeDataString("network:" + service)}");
        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
    }

    public Task<HttpResponseMessage> SendAsync(string service, object request, CancellationToken ct = default) =>
        Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(service)) { Content = JsonContent.Create(request) }, HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>Sends and reads the whole NDJSON answer.</summary>
    public async Task<Ndjson> CallAsync(string service, object request)
    {
        using var response = await SendAsync(service, request);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.StartsWith("application/x-ndjson", response.Content.Headers.ContentType?.ToString());
        return Ndjson.Parse(await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The broker's NDJSON answer, split into its parts.</summary>
internal sealed record Ndjson(JsonElement Head, IReadOnlyList<string> Chunks, JsonElement Last, string Raw)
{
    public int Status => Head.GetProperty("status").GetInt32();

    public string Body => string.Concat(Chunks);

    public string? ErrorCode => Last.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null;

    public static Ndjson Parse(string raw)
    {
        var lines = raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var chunks = lines.Skip(1).Where(l => l.TryGetProperty("chunk", out _)).Select(l => l.GetProperty("chunk").GetString()!).ToList();
        return new Ndjson(lines[0], chunks, lines[^1], raw);
    }
}
