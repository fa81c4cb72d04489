using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Tests.Bus;
using Labyrinth.Host.Tests.Cards;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Apps;

/// <summary>
/// A host with one plugin of pages: a member page (home, with a nav entry) and an admin-only page
/// ("settings"). The guard is the server's: members are told no more than that the admin page
/// exists, never get a frame ticket for it, and its frame and entry file are refused without one.
/// </summary>
public sealed class PagesApp : IAsyncLifetime
{
    public const string PluginId = "dev.test.pages";

    public CardsApp Cards { get; } = new();

    public static Dictionary<string, byte[]> Package() => new(StringComparer.Ordinal)
    {
        ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["id"] = PluginId,
            ["name"] = "Pages",
            ["version"] = "1.0.0",
            ["minHostAPIVersion"] = "1.0.0",
            ["pages"] = new object[]
            {
                new { path = "", title = "Overview", icon = "📊", entry = "pages/home.js", nav = new { section = "Apps", order = 1 } },
                new { path = "settings", title = "Settings", entry = "pages/admin.js", nav = new { section = "Apps", order = 2 }, requires = new { role = "admin" } },
            },
        }),
        ["pages/home.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() {}"),
        ["pages/admin.js"] = Encoding.UTF8.GetBytes("export function mountPlugin() { /* admin */ }"),
    };

    public async ValueTask InitializeAsync()
    {
        await Cards.InitializeAsync();
        using var installed = await Cards.InstallPackageAsync(Package());
        await Expect.StatusAsync(HttpStatusCode.Created, installed);
    }

    public async ValueTask DisposeAsync() => await Cards.DisposeAsync();
}

public sealed class PluginPagesTests(PagesApp shared) : IClassFixture<PagesApp>
{
    private const string AdminEntry = $"/plugins/{PagesApp.PluginId}/1.0.0/pages/admin.js";

    private async Task<JsonElement> OpenAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync($"/api/apps/pages/open?pluginId={PagesApp.PluginId}&path={Uri.EscapeDataString(path)}");
        await Expect.StatusAsync(expected, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string PathAndQuery(JsonElement opened) => new Uri(opened.GetProperty("frameUrl").GetString()!).PathAndQuery;

    private string Site(HttpClient client) => CardSites.HostFor(client, PagesApp.PluginId, "1.0.0");

    [Fact]
    public async Task PageList_ForAMember_HidesTheAdminPagesTitleAndNav()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);

        var pages = await member.Client.GetFromJsonAsync<JsonElement[]>("/api/apps/pages");

        var mine = pages!.Where(p => p.GetProperty("pluginId").GetString() == PagesApp.PluginId).ToArray();
        var home = mine.Single(p => p.GetProperty("path").GetString() == "");
        var settings = mine.Single(p => p.GetProperty("path").GetString() == "settings");
        Assert.True(home.GetProperty("allowed").GetBoolean());
        Assert.Equal("Apps", home.GetProperty("nav").GetProperty("section").GetString());
        Assert.False(settings.GetProperty("allowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("title").ValueKind);
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("nav").ValueKind);
    }

    [Fact]
    public async Task PageList_ForAnAdmin_ListsTheAdminPage()
    {
        var pages = await shared.Cards.Admin.GetFromJsonAsync<JsonElement[]>("/api/apps/pages");

        var settings = pages!.Single(p => p.GetProperty("pluginId").GetString() == PagesApp.PluginId && p.GetProperty("path").GetString() == "settings");
        Assert.True(settings.GetProperty("allowed").GetBoolean());
        Assert.Equal("Settings", settings.GetProperty("title").GetString());
    }

    [Fact]
    public async Task OpenAdminPage_AsAMember_IsRefusedWithoutAFrame()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);

        var problem = await OpenAsync(member.Client, "settings", HttpStatusCode.Forbidden);

        Assert.Equal("page.not_allowed", problem.GetProperty("code").GetString());
        Assert.False(problem.TryGetProperty("frameUrl", out _));
    }

    [Fact]
    public async Task OpenUnknownPage_IsNotFound()
    {
        var problem = await OpenAsync(shared.Cards.Admin, "nope", HttpStatusCode.NotFound);

        Assert.Equal("page.not_found", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PageFrame_WithTheTicketOnItsCardOrigin_IsTheCardDocumentWithTheEntry()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);
        var opened = await OpenAsync(member.Client, "");

        using var anonymous = shared.Cards.App.CreateClient();
        using var frame = await anonymous.GetOnOriginAsync(Site(anonymous), PathAndQuery(opened));

        await Expect.StatusAsync(HttpStatusCode.OK, frame);
        var csp = string.Join(" ", frame.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("sandbox allow-scripts", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains($"/plugins/{PagesApp.PluginId}/1.0.0/pages/home.js", await frame.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("t=forged")]
    public async Task PageFrame_WithoutAValidTicket_IsRefused(string query)
    {
        using var anonymous = shared.Cards.App.CreateClient();

        using var frame = await anonymous.GetOnOriginAsync(Site(anonymous), $"/cards/page/{PagesApp.PluginId}/1.0.0?p=&{query}");

        var problem = await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", frame);
        Assert.NotNull(problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PageFrame_WithoutTheCapabilityPrefix_IsNotFound()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);
        var opened = await OpenAsync(member.Client, "");
        var bare = PathAndQuery(opened)[PathAndQuery(opened).IndexOf("/cards/page/", StringComparison.Ordinal)..];

        using var anonymous = shared.Cards.App.CreateClient();
        using var frame = await anonymous.GetRawOnOriginAsync(Site(anonymous), bare);
        using var forged = await anonymous.GetRawOnOriginAsync(Site(anonymous), $"/{CardCapabilities.Segment}/{new string('A', CardCapabilities.TokenLength)}{bare}");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", frame);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "page.not_found", forged);
    }

    [Fact]
    public async Task PageFrame_TicketOfAnotherPage_DoesNotOpenTheAdminPage()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);
        var opened = await OpenAsync(member.Client, "");
        var ticket = System.Web.HttpUtility.ParseQueryString(new Uri(opened.GetProperty("frameUrl").GetString()!).Query)["t"]!;

        using var anonymous = shared.Cards.App.CreateClient();
        using var frame = await anonymous.GetOnOriginAsync(Site(anonymous), $"/cards/page/{PagesApp.PluginId}/1.0.0?p=settings&t={Uri.EscapeDataString(ticket)}");
        using var entry = await anonymous.GetOnOriginAsync(Site(anonymous), $"{AdminEntry}?t={Uri.EscapeDataString(ticket)}");

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", frame);
        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", entry);
    }

    [Fact]
    public async Task AdminsTicket_UnderAMembersCapabilityPrefix_DoesNotOpenTheAdminPage()
    {
        // The admin page's own code can read its ticket and leave it where the plugin's member
        // cards read (workspace storage); the member then asks with their own prefix.
        var opened = await OpenAsync(shared.Cards.Admin, "settings");
        var ticket = System.Web.HttpUtility.ParseQueryString(new Uri(opened.GetProperty("frameUrl").GetString()!).Query)["t"]!;
        var member = await BusPerson.CreateAsync(shared.Cards);
        var prefix = await CardSites.PrefixAsync(member.Client, PagesApp.PluginId, "1.0.0");

        using var frame = await member.Client.GetRawOnOriginAsync(Site(member.Client), $"{prefix}/cards/page/{PagesApp.PluginId}/1.0.0?p=settings&t={Uri.EscapeDataString(ticket)}");
        using var entry = await member.Client.GetRawOnOriginAsync(Site(member.Client), $"{prefix}{AdminEntry}?t={Uri.EscapeDataString(ticket)}");

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", frame);
        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", entry);
    }

    [Fact]
    public async Task AdminPageEntry_WithoutATicket_IsNotServed()
    {
        using var anonymous = shared.Cards.App.CreateClient();

        using var entry = await anonymous.GetOnOriginAsync(Site(anonymous), AdminEntry);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "page.not_allowed", entry);
    }

    [Fact]
    public async Task AdminPage_OpenedByAnAdmin_ServesItsFrameAndEntryPrivately()
    {
        var opened = await OpenAsync(shared.Cards.Admin, "settings");
        using var anonymous = shared.Cards.App.CreateClient();
        using var frame = await anonymous.GetOnOriginAsync(Site(anonymous), PathAndQuery(opened));
        await Expect.StatusAsync(HttpStatusCode.OK, frame);
        var html = await frame.Content.ReadAsStringAsync();
        var entryUrl = System.Text.RegularExpressions.Regex.Match(html, "name=\"labyrinth-entry\" content=\"([^\"]+)\"").Groups[1].Value;

        using var entry = await anonymous.GetOnOriginAsync(Site(anonymous), WebUtility.HtmlDecode(entryUrl));

        await Expect.StatusAsync(HttpStatusCode.OK, entry);
        Assert.Contains("/* admin */", await entry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(entry.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {entry.Headers.CacheControl}");
    }

    [Theory]
    [InlineData("pages/admin.js", true)]
    [InlineData("pages/home.js", false)] // a member page's entry
    [InlineData("pages/Admin.js", false)] // paths are compared exactly, as files are found
    [InlineData("manifest.json", false)]
    public void IsAdminPageEntry_InstalledPages_OnlyTheAdminPagesEntry(string path, bool expected)
    {
        var catalog = shared.Cards.App.Services.GetRequiredService<PluginCatalog>();
        var installed = catalog.Find(PagesApp.PluginId)!.Versions["1.0.0"];

        Assert.Equal(expected, installed.IsAdminPageEntry(path));
    }

    [Fact]
    public async Task MemberPageEntry_IsPublicLikeCardFiles()
    {
        using var anonymous = shared.Cards.App.CreateClient();

        using var entry = await anonymous.GetOnOriginAsync(Site(anonymous), $"/plugins/{PagesApp.PluginId}/1.0.0/pages/home.js");

        await Expect.StatusAsync(HttpStatusCode.OK, entry);
    }

    [Fact]
    public async Task PageFrame_OnTheHostOrigin_IsNotServed()
    {
        var opened = await OpenAsync(shared.Cards.Admin, "");
        using var anonymous = shared.Cards.App.CreateClient();

        using var frame = await anonymous.GetAsync(PathAndQuery(opened));

        Assert.Equal(HttpStatusCode.NotFound, frame.StatusCode);
    }

    [Fact]
    public async Task BusJoin_AsAMembersAdminPage_IsRefused()
    {
        var member = await BusPerson.CreateAsync(shared.Cards);
        await using var tab = await member.OpenTabAsync();

        var refused = await tab.JoinPageAsync("p1", PagesApp.PluginId, "1.0.0", "settings");
        var joined = await tab.JoinPageAsync("p2", PagesApp.PluginId, "1.0.0", "");

        BusAcks.Refused("bus.member_not_found", refused);
        BusAcks.Ok(joined);
    }
}
