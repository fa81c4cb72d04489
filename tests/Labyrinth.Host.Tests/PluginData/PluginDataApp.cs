using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Tests.Cards;

namespace Labyrinth.Host.Tests.PluginData;

/// <summary>
/// A host with two plugins that configure and store things: <see cref="Notes"/> (a settings schema
/// with a secret, a "notes" card requesting every storage capability, a "reader" card requesting
/// only <c>storage:read</c>, and a service requesting storage) and <see cref="Other"/> (same keys,
/// to prove plugins never see each other's). The quota is small, so filling it is cheap; each test
/// uses people of its own.
/// </summary>
public sealed class PluginDataApp : IAsyncLifetime
{
    public const string Notes = "dev.test.notes";
    public const string Other = "dev.test.other";
    public const int QuotaBytes = 4096;

    public CardsApp Cards { get; } = new(new Dictionary<string, string?> { ["Labyrinth:PluginStorage:QuotaBytes"] = QuotaBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    internal HttpClient Admin => Cards.Admin;

    public static object ConfigSchema => new
    {
        type = "object",
        properties = new Dictionary<string, object>
        {
            ["timeZone"] = new { type = "string", title = "Time zone", description = "IANA name", @default = "UTC", maxLength = 64 },
            ["refreshSeconds"] = new { type = "integer", title = "Refresh every", minimum = 1, maximum = 3600, @default = 60 },
            ["showSeconds"] = new { type = "boolean", @default = false },
            ["units"] = new { type = "string", @enum = new[] { "metric", "imperial" }, @default = "metric" },
            ["tags"] = new { type = "array", items = new { type = "string", maxLength = 16 }, maxItems = 3 },
            ["apiKey"] = new { type = "string", title = "API key", secret = true },
            ["display"] = new
            {
                type = "object",
                title = "Display",
                properties = new Dictionary<string, object> { ["format"] = new { type = "string", @default = "24h", @enum = new[] { "12h", "24h" } } },
            },
        },
    };

    public static Dictionary<string, object> Manifest(string id, object? configSchema = null, string version = "1.0.0")
    {
        var manifest = new Dictionary<string, object>
        {
            ["id"] = id,
            ["name"] = id == Notes ? "Notes" : "Other",
            ["version"] = version,
            ["minHostAPIVersion"] = "1.0.0",
            ["cards"] = new object[]
            {
                new
                {
                    typeID = "notes", name = "Notes", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 },
                    capabilities = new[] { "storage:read", "storage:write", "storage:workspace-write" },
                },
                new
                {
                    typeID = "reader", name = "Reader", runtime = new { kind = "web", entry = "cards/c.js" }, defaultSizePt = new { width = 320, height = 240 },
                    capabilities = new[] { "storage:read" },
                },
            },
            ["services"] = new object[] { new { id = "main", entry = "services/main.js", capabilities = new[] { "storage:read", "storage:write" } } },
        };
        if (configSchema is not null)
        {
            manifest["configSchema"] = configSchema;
        }

        return manifest;
    }

    public static Dictionary<string, byte[]> Package(Dictionary<string, object> manifest) => new(StringComparer.Ordinal)
    {
        ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
        ["services/main.js"] = Encoding.UTF8.GetBytes("export const service = {};"),
        ["cards/c.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() {}"),
    };

    public async ValueTask InitializeAsync()
    {
        await Cards.InitializeAsync();
        foreach (var manifest in new[] { Manifest(Notes, ConfigSchema), Manifest(Other) })
        {
            using var installed = await Cards.InstallPackageAsync(Package(manifest));
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }
    }

    /// <summary>A card of <paramref name="pluginId"/> on a new board of <paramref name="client"/>'s, with <paramref name="grants"/> given by its owner.</summary>
    internal static async Task<Card> CardAsync(HttpClient client, string pluginId = Notes, string typeID = "notes", params string[] grants)
    {
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (after, window) = await Boards.SpawnAsync(client, board, new { kind = "plugin", plugin = new { pluginId, typeID } });
        var card = new Card(client, after, board.Id(), window.Id());
        foreach (var capability in grants)
        {
            using var response = await card.GrantAsync(capability);
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        return card;
    }

    internal static Task<HttpResponseMessage> StoreAsync(Card card, object operation) => card.Client.PostAsJsonAsync(card.Url("/storage"), operation);

    internal static async Task<JsonElement> StoreOkAsync(Card card, object operation)
    {
        using var response = await StoreAsync(card, operation);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task SetPluginGrantAsync(string pluginId, string capability, bool granted)
    {
        var url = $"/api/admin/plugins/{pluginId}/service-grants/{Uri.EscapeDataString(capability)}";
        using var response = granted ? await Admin.PutAsync(url, null) : await Admin.DeleteAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{(granted ? "grant" : "revoke")} {capability}: {response.StatusCode}");
    }

    public ValueTask DisposeAsync() => Cards.DisposeAsync();
}
