using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Tests.Bus;
using Labyrinth.Host.Tests.Cards;

namespace Labyrinth.Host.Tests.Apps;

/// <summary>
/// A host with two app plugins besides the cards test plugin: the provider <see cref="Provider"/>,
/// whose service "main" answers <c>add</c> ({a, b} → {sum}) and <c>echo</c>, and the caller
/// <see cref="Caller"/>, whose "caller" card requests <c>api:&lt;provider&gt;</c>, whose "plain" card
/// requests nothing, and whose service "worker" requests the API and the bus. Call rates are low so a
/// flood is cheap; each test uses people of its own.
/// </summary>
public sealed class AppsApp : IAsyncLifetime
{
    public const string Provider = "dev.test.clock";
    public const string Caller = "dev.test.caller";
    public const string ApiCapability = "api:" + Provider;
    public const int CallBurst = 5;

    public CardsApp Cards { get; } = new(new Dictionary<string, string?>
    {
        ["Labyrinth:Bus:CallsPerSecond"] = "1",
        ["Labyrinth:Bus:CallBurst"] = CallBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public static Dictionary<string, object> ProviderManifest(string version = "1.0.0", object? addInput = null) => new Dictionary<string, object>
    {
        ["id"] = Provider,
        ["name"] = "Clock",
        ["version"] = version,
        ["minHostAPIVersion"] = "1.0.0",
        ["services"] = new object[]
        {
            new { id = "main", entry = "services/main.js", capabilities = new[] { "crossCard:pubsub" }, topics = new { publish = new[] { "clock:time:ticked" } } },
        },
        ["api"] = new
        {
            version = "1.0.0",
            methods = new Dictionary<string, object>
            {
                ["add"] = new
                {
                    description = "Adds two numbers.",
                    input = addInput ?? new
                    {
                        type = "object",
                        properties = new { a = new { type = "number" }, b = new { type = "number" } },
                        required = new[] { "a", "b" },
                        additionalProperties = false,
                    },
                    output = new { type = "object", properties = new { sum = new { type = "number" } }, required = new[] { "sum" } },
                    examples = new[] { new { title = "Two and three", input = new { a = 2, b = 3 }, output = new { sum = 5 } } },
                },
                ["echo"] = new { description = "Answers what it is given.", input = new { }, output = new { } },
            },
        },
    };

    internal static Dictionary<string, object> CallerManifest() => new Dictionary<string, object>
    {
        ["id"] = Caller,
        ["name"] = "Caller",
        ["version"] = "1.0.0",
        ["minHostAPIVersion"] = "1.0.0",
        ["cards"] = new object[]
        {
            new { typeID = "caller", name = "Caller", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 }, capabilities = new[] { ApiCapability } },
            new { typeID = "plain", name = "Plain", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 } },
        },
        ["services"] = new object[]
        {
            new { id = "worker", entry = "services/w.js", capabilities = new[] { ApiCapability, "crossCard:pubsub" }, topics = new { subscribe = new[] { "clock:*:*" } } },
        },
    };

    public static Dictionary<string, byte[]> Package(Dictionary<string, object> manifest) => new(StringComparer.Ordinal)
    {
        ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
        ["services/main.js"] = Encoding.UTF8.GetBytes("export const service = {};"),
        ["services/w.js"] = Encoding.UTF8.GetBytes("export const service = {};"),
        ["cards/c.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() {}"),
    };

    public async ValueTask InitializeAsync()
    {
        await Cards.InitializeAsync();
        foreach (var manifest in new[] { ProviderManifest(), CallerManifest() })
        {
            using var installed = await Cards.InstallPackageAsync(Package(manifest));
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }
    }

    /// <summary>A card of the caller plugin on a new board of <paramref name="person"/>'s; the API grant given unless told otherwise.</summary>
    internal static async Task<Card> CallerCardAsync(BusPerson person, string typeID = "caller", bool granted = true)
    {
        var board = await LabyrinthApp.CreateBoardAsync(person.Client);
        var (after, window) = await Boards.SpawnAsync(person.Client, board, new { kind = "plugin", plugin = new { pluginId = Caller, typeID } });
        var card = new Card(person.Client, after, board.Id(), window.Id());
        if (granted)
        {
            using var response = await card.GrantAsync(ApiCapability);
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        return card;
    }

    public async Task SetServiceGrantAsync(string pluginId, string capability, bool granted)
    {
        var url = $"/api/admin/plugins/{pluginId}/service-grants/{Uri.EscapeDataString(capability)}";
        using var response = granted ? await Cards.Admin.PutAsync(url, null) : await Cards.Admin.DeleteAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{(granted ? "grant" : "revoke")} {capability}: {response.StatusCode}");
    }

    public async Task<JsonElement[]> LogsAsync(string pluginId, string? level = null)
    {
        var lines = await Cards.Admin.GetFromJsonAsync<JsonElement[]>($"/api/admin/plugins/{pluginId}/logs{(level is null ? "" : "?level=" + level)}");
        return lines!;
    }

    public ValueTask DisposeAsync() => Cards.DisposeAsync();
}
