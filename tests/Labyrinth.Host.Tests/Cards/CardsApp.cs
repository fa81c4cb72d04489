using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Signing;
using Labyrinth.Host.Data;
using Labyrinth.Host.Tests.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// One host per test class with a signed test plugin whose cards request capabilities (the example
/// plugins request none): "viewer" asks for images, text, pub/sub and network:openai; "notes" only for
/// pub/sub, with other topics; "plain" asks for nothing. Uploads are capped at 64 KiB so the size limit is cheap to reach. Each test signs in as
/// a user of its own.
/// </summary>
public sealed class CardsApp : IAsyncLifetime
{
    public const string PluginId = "dev.test.cards";
    public const int MaxAssetBytes = 64 * 1024;

    public static readonly string[] ViewerCapabilities = ["fileRegistry:image", "fileRegistry:text", "crossCard:pubsub", "network:openai"];

    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];

    private HttpClient admin = null!;
    private PublisherKey key = null!;

    public CardsApp()
        : this(null)
    {
    }

    /// <summary>With <paramref name="extra"/> settings on top of the defaults (e.g. bus rates).</summary>
    internal CardsApp(IReadOnlyDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Labyrinth:LoginAttemptsPerMinute"] = "100000",
            ["Labyrinth:ExamplePluginsDir"] = "",
            ["Labyrinth:MaxAssetBytes"] = MaxAssetBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        App = new LabyrinthApp(settings);
    }

    internal LabyrinthApp App { get; }

    internal HttpClient Admin => admin;

    public async ValueTask InitializeAsync()
    {
        admin = await App.SetupAdminAsync();
        key = PublisherKey.Generate("Cards test publisher");
        using (var trusted = await admin.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, trusted);
        }

        await InstallAsync("1.0.0", ViewerCapabilities);
    }

    /// <summary>
    /// Installs (and so activates) <paramref name="version"/> of the test plugin, signed by the
    /// trusted key, whose viewer card requests <paramref name="viewerCapabilities"/>; the plain card
    /// takes <paramref name="plainPropsSchema"/> when given.
    /// </summary>
    internal async Task InstallAsync(string version, string[] viewerCapabilities, object? plainPropsSchema = null)
    {
        var files = Files(version, viewerCapabilities, plainPropsSchema);
        using var installed = await Packages.UploadAsync(admin, Packages.Zip(Packages.Sign(files, key)));
        await Expect.StatusAsync(HttpStatusCode.Created, installed);
    }

    /// <summary>The test plugin's package files (unsigned).</summary>
    internal static Dictionary<string, byte[]> Files(string version, string[] viewerCapabilities, object? plainPropsSchema = null)
    {
        var manifest = new Dictionary<string, object>
        {
            ["id"] = PluginId,
            ["name"] = "Cards test",
            ["version"] = version,
            ["minHostAPIVersion"] = "1.0.0",
            ["cards"] = new object[]
            {
                new
                {
                    typeID = "viewer", name = "Viewer", runtime = new { kind = "web", entry = "cards/t.js" }, defaultSizePt = new { width = 320, height = 240 },
                    capabilities = viewerCapabilities,
                    topics = new { publish = new[] { "math:expression:changed" }, subscribe = new[] { "math:*:changed" } },
                },
                new
                {
                    typeID = "notes", name = "Notes", runtime = new { kind = "web", entry = "cards/t.js" }, defaultSizePt = new { width = 320, height = 240 },
                    capabilities = new[] { "crossCard:pubsub" },
                    topics = new { publish = new[] { "notes:item:created", "math:expression:changed" }, subscribe = new[] { "notes:*:*" } },
                },
                plainPropsSchema is null
                    ? new { typeID = "plain", name = "Plain", runtime = new { kind = "web", entry = "cards/t.js" }, defaultSizePt = new { width = 320, height = 240 } }
                    : new { typeID = "plain", name = "Plain", runtime = new { kind = "web", entry = "cards/t.js" }, defaultSizePt = new { width = 320, height = 240 }, propsSchema = plainPropsSchema },
            },
        };
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["cards/t.js"] = Encoding.UTF8.GetBytes("export default 1;"),
        };
        return files;
    }

    /// <summary>Installs a package of <paramref name="files"/> signed by the trusted test key; the host's answer.</summary>
    internal Task<HttpResponseMessage> InstallPackageAsync(Dictionary<string, byte[]> files) =>
        Packages.UploadAsync(admin, Packages.Zip(Packages.Sign(files, key)));

    /// <summary>A fresh member, signed in, owning nothing yet.</summary>
    internal Task<HttpClient> UserAsync() => App.CreateMemberAsync("u" + Guid.NewGuid().ToString("N")[..16], admin);

    /// <summary>A new board of <paramref name="client"/>'s with one card of <paramref name="typeID"/> on it.</summary>
    internal static async Task<Card> CardAsync(HttpClient client, string typeID = "viewer")
    {
        var board = await LabyrinthApp.CreateBoardAsync(client);
        var (after, window) = await Boards.SpawnAsync(client, board, new { kind = "plugin", plugin = new { pluginId = PluginId, typeID } });
        return new Card(client, after, board.Id(), window.Id());
    }

    /// <summary>Another card on the same board.</summary>
    internal static async Task<Card> SecondCardAsync(Card first, string typeID = "viewer")
    {
        var board = await first.Client.GetJsonAsync($"/api/boards/{first.BoardId}");
        var (after, window) = await Boards.SpawnAsync(first.Client, board, new { kind = "plugin", plugin = new { pluginId = PluginId, typeID } });
        return new Card(first.Client, after, first.BoardIdText, window.Id());
    }

    internal static async Task<JsonElement> UploadAsync(HttpClient client, byte[] bytes, string name = "photo.png")
    {
        using var response = await UploadRawAsync(client, bytes, name);
        await Expect.StatusAsync(HttpStatusCode.Created, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static Task<HttpResponseMessage> UploadRawAsync(HttpClient client, byte[] bytes, string name)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PostAsync("/api/assets?name=" + Uri.EscapeDataString(name), content);
    }

    /// <summary>Runs <paramref name="query"/> against the host's database.</summary>
    internal async Task<T> DbAsync<T>(Func<LabyrinthDb, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<LabyrinthDb>());
    }

    internal Task<int> GrantRowsAsync(Guid boardId, string windowId) =>
        DbAsync(db => db.CardGrants.CountAsync(g => g.BoardId == boardId && g.WindowId == windowId));

    internal Task<int> AssetGrantRowsAsync(Guid boardId, string windowId) =>
        DbAsync(db => db.AssetGrants.CountAsync(g => g.BoardId == boardId && g.WindowId == windowId));

    /// <summary>The whole audit log as the admin exports it.</summary>
    internal async Task<string> AuditExportAsync()
    {
        using var response = await admin.GetAsync("/api/admin/audit/export");
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        key.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>A card instance in a test: its owner's client and its ids.</summary>
internal sealed record Card(HttpClient Client, JsonElement Board, string BoardIdText, string WindowId)
{
    public Guid BoardId => Guid.Parse(BoardIdText);

    public string Url(string rest = "") => $"/api/cards/{BoardIdText}/{WindowId}{rest}";

    public Task<HttpResponseMessage> GrantAsync(string capability, HttpClient? caller = null) =>
        (caller ?? Client).PostAsJsonAsync(Url("/grants"), new { capability });

    public Task<HttpResponseMessage> RevokeAsync(string capability, HttpClient? caller = null) =>
        (caller ?? Client).DeleteAsync(Url("/grants/" + Uri.EscapeDataString(capability)));

    public Task<HttpResponseMessage> GrantAssetAsync(string assetId, HttpClient? caller = null) =>
        (caller ?? Client).PostAsJsonAsync(Url("/assets"), new { assetId });

    public Task<HttpResponseMessage> ReadAsync(string token, HttpClient? caller = null) =>
        (caller ?? Client).PostAsJsonAsync(Url("/assets/read"), new { token });

    public Task<JsonElement> PermissionsAsync() => Client.GetJsonAsync(Url("/permissions"));

    /// <summary>Uploads an image, grants it to this card and returns (token, grant).</summary>
    public async Task<(string Token, JsonElement Grant, JsonElement Asset)> GiveImageAsync(byte[]? bytes = null)
    {
        var asset = await CardsApp.UploadAsync(Client, bytes ?? CardsApp.Png);
        using var response = await GrantAssetAsync(asset.Id());
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("token").GetString()!, body.GetProperty("grant"), asset);
    }
}
