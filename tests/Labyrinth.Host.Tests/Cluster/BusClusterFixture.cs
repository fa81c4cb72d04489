using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Labyrinth.Core.Signing;
using Labyrinth.Host.Tests.Apps;
using Labyrinth.Host.Tests.Bus;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// A pair with the bus test plugins installed: the cards test plugin (viewer: publishes
/// <c>math:expression:changed</c>, subscribes <c>math:*:changed</c>; notes: publishes
/// <c>notes:item:created</c>), the API provider with its service and the API caller. The publish
/// burst is small and slow to refill, so a limit counted per instance stands out from one counted
/// once. Each test uses people of its own.
/// </summary>
public class BusClusterFixture : IAsyncLifetime
{
    public const int PublishBurst = 10;

    internal ClusterPair Pair { get; private set; } = null!;

    internal ClusterPair.Session Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Pair = await ClusterPair.StartAsync(new Dictionary<string, string?>
        {
            ["Labyrinth:LoginAttemptsPerMinute"] = "100000",
            ["Labyrinth:Bus:PublishesPerSecond"] = "1",
            ["Labyrinth:Bus:PublishBurst"] = PublishBurst.ToString(CultureInfo.InvariantCulture),
        });
        Admin = await Pair.SetupAdminAsync();
        using var key = PublisherKey.Generate("Bus cluster tests");
        using (var trusted = await Admin.OnA.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        foreach (var files in new[] { CardsApp.Files("1.0.0", CardsApp.ViewerCapabilities), AppsApp.Package(AppsApp.ProviderManifest()), AppsApp.Package(AppsApp.CallerManifest()) })
        {
            using var installed = await Packages.UploadAsync(Admin.OnA, Packages.Zip(Packages.Sign(files, key)));
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }
    }

    /// <summary>A fresh member, signed in (the session cookie works on both instances).</summary>
    internal async Task<BusPeer> PersonAsync() => new(await Pair.MemberAsync(Admin));

    /// <summary>The whole audit log as the admin exports it (one JSON object a line).</summary>
    internal async Task<string[]> AuditLinesAsync()
    {
        using var response = await Admin.OnA.GetAsync("/api/admin/audit/export");
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async ValueTask DisposeAsync()
    {
        await Pair.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Its own pair: the tests stop its Redis.</summary>
public sealed class BusOutageFixture : BusClusterFixture
{
}

/// <summary>One person of a cluster test: cards made through A, tabs on A or B (what a balancer would pick).</summary>
internal sealed class BusPeer(ClusterPair.Session session)
{
    public ClusterPair.Session Session { get; } = session;

    /// <summary>A viewer (or <paramref name="typeID"/>) card of the cards test plugin with <c>crossCard:pubsub</c> granted.</summary>
    public async Task<Card> CardAsync(string typeID = "viewer")
    {
        var card = await CardsApp.CardAsync(Session.OnA, typeID);
        using var response = await card.GrantAsync("crossCard:pubsub");
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return card;
    }

    /// <summary>A card of the API caller plugin with <c>api:&lt;provider&gt;</c> granted.</summary>
    public async Task<Card> CallerCardAsync()
    {
        var board = await LabyrinthApp.CreateBoardAsync(Session.OnA);
        var (after, window) = await Boards.SpawnAsync(Session.OnA, board, new { kind = "plugin", plugin = new { pluginId = AppsApp.Caller, typeID = "caller" } });
        var card = new Card(Session.OnA, after, board.Id(), window.Id());
        using var response = await card.GrantAsync(AppsApp.ApiCapability);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return card;
    }

    /// <summary>A tab whose bus connection landed on B (or A).</summary>
    public async Task<BusTab> TabAsync(bool onB) => new(await Session.ConnectAsync("/hubs/bus", onB));
}
