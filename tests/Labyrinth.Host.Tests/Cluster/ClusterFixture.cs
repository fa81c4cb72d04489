using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Signing;
using Labyrinth.FakeUpstream;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// A two-instance cluster for a test class: an admin, two signed plugins (one for the kill test),
/// network services defined on A with their key in the vault (sealed with the shared key ring),
/// and a fake upstream. Each test arranges its own member, board and card.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Secret = "sk-fake-cluster-secret-0123456789abcdef";
    public const string NetPlugin = "dev.test.clusternet";
    public const string KillPlugin = "dev.test.clusterkill";

    internal ClusterPair Pair { get; private set; } = null!;

    internal ClusterPair.Session Admin { get; private set; } = null!;

    internal RunningFakeUpstream Upstream { get; private set; } = null!;

    /// <summary>A publisher key the cluster trusts, for tests that install more plugins.</summary>
    internal PublisherKey Publisher { get; } = PublisherKey.Generate("Cluster tests");

    public async ValueTask InitializeAsync()
    {
        Upstream = await FakeUpstreamServer.StartAsync(Secret);
        Upstream.State.ChunkDelay = TimeSpan.Zero;
        Pair = await ClusterPair.StartAsync();
        Admin = await Pair.SetupAdminAsync();

        var key = Publisher;
        using (var trusted = await Admin.OnA.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        foreach (var id in new[] { NetPlugin, KillPlugin })
        {
            using var installed = await Packages.UploadAsync(Admin.OnA, Packages.Zip(Packages.Sign(Plugin(id), key)));
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        await DefineAsync("fake", ratePerMinute: 10_000, burst: 10_000);
        // One token every 15 s: three calls pass at once, the fourth is refused wherever it lands.
        await DefineAsync("bursty", ratePerMinute: 4, burst: 3);
    }

    /// <summary>A fresh member (signed in on A) with a board holding one card of <paramref name="pluginId"/>, created on A.</summary>
    internal async Task<(ClusterPair.Session Member, Guid BoardId, string WindowId)> CardAsync(string pluginId, params string[] grants)
    {
        var member = await Pair.MemberAsync(Admin);
        var board = await LabyrinthApp.CreateBoardAsync(member.OnA);
        var (_, window) = await Boards.SpawnAsync(member.OnA, board, new { kind = "plugin", plugin = new { pluginId, typeID = "net" } });
        foreach (var service in grants)
        {
            using var granted = await member.OnA.PostAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/grants", new { capability = "network:" + service });
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        return (member, Guid.Parse(board.Id()), window.Id());
    }

    public async ValueTask DisposeAsync()
    {
        await Pair.DisposeAsync();
        await Upstream.DisposeAsync();
        Publisher.Dispose();
    }

    private async Task DefineAsync(string id, int ratePerMinute, int burst)
    {
        using (var created = await Admin.OnA.PostAsJsonAsync("/api/admin/services", new
        {
            id,
            displayName = "Service " + id,
            baseUrl = Upstream.BaseUrl,
            methods = new[] { "GET", "POST" },
            pathPrefixes = new[] { "/models", "/test", "/chat/completions" },
            secret = new { @in = "header", name = "Authorization", template = "Bearer {secret}" },
            timeoutSeconds = 30,
            maxRequestBytes = 1024 * 1024,
            maxResponseBytes = 1024 * 1024,
            ratePerMinute,
            burst,
            allowStreaming = true,
            allowPrivateNetwork = true,
            enabled = true,
        }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        using var stored = await Admin.OnA.PostAsJsonAsync("/api/admin/secrets", new { name = id + " key", serviceId = id, value = Secret });
        await Expect.StatusAsync(HttpStatusCode.Created, stored);
    }

    private static Dictionary<string, byte[]> Plugin(string id)
    {
        var manifest = new
        {
            id,
            name = "Cluster card",
            version = "1.0.0",
            minHostAPIVersion = "1.0.0",
            cards = new[]
            {
                new { typeID = "net", name = "Net", runtime = new { kind = "web", entry = "cards/net.js" }, defaultSizePt = new { width = 320, height = 240 }, capabilities = new[] { "network:fake", "network:bursty" } },
            },
        };
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["cards/net.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() { return () => {}; }"),
        };
    }
}
