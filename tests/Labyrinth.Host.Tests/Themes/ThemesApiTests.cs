using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Themes;

/// <summary>/api/themes, choosing, the admin default and validation, on the host with its example plugins.</summary>
public sealed class ThemesApiTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private const string Midnight = "dev.labyrinth.midnight/midnight";
    private const string MidnightLined = "dev.labyrinth.midnight/midnight-lined";

    [Fact]
    public async Task List_SignedIn_BuiltInsAndMidnightWithCssVars()
    {
        var user = await shared.UserAsync();

        var body = await user.GetJsonAsync("/api/themes");

        var themes = body.GetProperty("themes").EnumerateArray().ToDictionary(t => t.Id());
        Assert.Equal("builtin", themes["light"].GetProperty("source").GetString());
        Assert.Equal("#f3f4f7", themes["light"].GetProperty("cssVars").GetProperty("--lab-canvas-bg").GetString());
        Assert.Equal("#121419", themes["dark"].GetProperty("cssVars").GetProperty("--lab-canvas-bg").GetString());
        var midnight = themes[Midnight];
        Assert.Equal("Midnight", midnight.GetProperty("name").GetString());
        Assert.Equal("#121316", midnight.GetProperty("cssVars").GetProperty("--lab-canvas-bg").GetString());
        Assert.Equal("#33ccff", midnight.GetProperty("tokens").GetProperty("ui.accent").GetString());
        // On the theme's card origin, under this person's capability prefix.
        var prefix = await CardSites.PrefixAsync(user, "dev.labyrinth.midnight", "1.0.0");
        Assert.Equal($"http://{Labyrinth.Host.Features.Plugins.CardOrigins.Label("dev.labyrinth.midnight", "1.0.0")}.cards.localhost{prefix}/plugins/dev.labyrinth.midnight/1.0.0/themes/midnight.png", midnight.GetProperty("previewUrl").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("userThemeId").ValueKind);
    }

    [Fact]
    public async Task List_MidnightLined_HorizontalAxesOnly()
    {
        var user = await shared.UserAsync();

        var themes = (await user.GetJsonAsync("/api/themes")).GetProperty("themes").EnumerateArray();

        var grid = themes.Single(t => t.Id() == MidnightLined).GetProperty("fractalGrid");
        Assert.True(grid.GetProperty("enabled").GetBoolean());
        Assert.Equal(["tileBorder", "child", "grandchild"], grid.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("level").GetString()));
        Assert.All(grid.GetProperty("groups").EnumerateArray(), g => Assert.Equal("horizontal", g.GetProperty("axes").GetString()));
        Assert.Equal("rgba(255, 255, 255, 0.16)", grid.GetProperty("groups")[0].GetProperty("color").GetString());
    }

    [Fact]
    public async Task List_Anonymous_401()
    {
        var client = await shared.App.CreateClientAsync();

        using var response = await client.GetAsync("/api/themes");

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task Choose_AvailableTheme_PersistedForThatUserOnly()
    {
        var user = await shared.UserAsync();
        var other = await shared.UserAsync();

        using var response = await user.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = MidnightLined });

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Equal(MidnightLined, (await user.GetJsonAsync("/api/themes")).GetProperty("userThemeId").GetString());
        Assert.Equal(JsonValueKind.Null, (await other.GetJsonAsync("/api/themes")).GetProperty("userThemeId").ValueKind);
    }

    [Fact]
    public async Task Choose_Null_FollowsDefaultAgain()
    {
        var user = await shared.UserAsync();
        using (var chosen = await user.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = "dark" }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, chosen);
        }

        using var cleared = await user.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = (string?)null });

        await Expect.StatusAsync(HttpStatusCode.NoContent, cleared);
        Assert.Equal(JsonValueKind.Null, (await user.GetJsonAsync("/api/themes")).GetProperty("userThemeId").ValueKind);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("dev.labyrinth.midnight/sunrise")]
    [InlineData("dev.labyrinth.hello/hello")]
    public async Task Choose_UnknownTheme_400NotFound(string themeId)
    {
        var user = await shared.UserAsync();

        using var response = await user.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "theme.not_found", response);
    }

    [Fact]
    public async Task Choose_WithoutCsrfHeader_403()
    {
        var user = await shared.UserAsync();
        user.DefaultRequestHeaders.Remove("X-Labyrinth-Request");

        using var response = await user.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = "dark" });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.missing_header", response);
    }

    [Fact]
    public async Task SetDefault_Member_403()
    {
        var member = await shared.UserAsync();

        using var response = await member.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = "dark" });

        await Expect.StatusAsync(HttpStatusCode.Forbidden, response);
    }

    [Fact]
    public async Task Validate_ValidTheme_200()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/themes/validate", Json("""{ "themeID": "mine", "name": "Mine", "tokens": { "ui.accent": "#3355aa" } }"""));

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Validate_InvalidTheme_400WithEveryPointer()
    {
        var user = await shared.UserAsync();
        var theme = """
            { "themeID": "mine", "name": "Mine", "extra": 1,
              "tokens": { "ui.foo": "#fff", "ui.accent": "#12345", "ui.radius.panel": 40, "ui.font.body": "url(x.woff)",
                          "ui.panel.background": "#ffffff", "ui.text.primary": "#dddddd" } }
            """;

        using var response = await user.PostAsync("/api/themes/validate", Json(theme));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "theme.invalid", response);
        var problems = problem.GetProperty("problems").EnumerateArray().ToList();
        var pointers = problems.Select(p => p.GetProperty("pointer").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "/extra", "/tokens/ui.foo", "/tokens/ui.accent", "/tokens/ui.radius.panel", "/tokens/ui.font.body", "/tokens/ui.text.primary" }, pointers);
        Assert.Contains(problems, p => p.GetProperty("message").GetString()!.StartsWith("contrast 1.35:1 against ui.panel.background", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_NotJson_400()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/themes/validate", Json("{ not json"));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "theme.invalid", response);
        Assert.Equal("", problem.GetProperty("problems")[0].GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task Validate_Oversized_400WithoutReadingItAll()
    {
        var user = await shared.UserAsync();

        using var response = await user.PostAsync("/api/themes/validate", Json("\"" + new string('a', 1024 * 1024) + "\""));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "theme.invalid", response);
        Assert.Contains("larger than", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThemeSchema_ServedPublicly()
    {
        var client = await shared.App.CreateClientAsync();

        using var response = await client.GetAsync("/schemas/theme.v1.json");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(schema.GetProperty("properties").GetProperty("tokens").GetProperty("properties").TryGetProperty("ui.panel.material", out _));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

/// <summary>The admin default on a host of its own (it is host-wide state).</summary>
public sealed class ThemeDefaultTests
{
    [Fact]
    public async Task SetDefault_Admin_ListedForEveryoneAndAudited()
    {
        await using var host = await GovernanceHost.StartAsync();
        var member = await host.App.CreateMemberAsync("member1", host.Admin);

        using var response = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = "dark" });

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Equal("dark", (await member.GetJsonAsync("/api/themes")).GetProperty("defaultThemeId").GetString());
        var audit = (await host.Admin.GetJsonAsync("/api/admin/audit?action=theme.default")).GetProperty("items")[0];
        Assert.Equal("admin", audit.GetProperty("actor").GetString());
        Assert.Equal("dark", audit.GetProperty("detail").GetProperty("themeId").GetString());
    }

    [Fact]
    public async Task SetDefault_Null_ClearsIt()
    {
        await using var host = await GovernanceHost.StartAsync();
        using (var set = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = "dark" }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, set);
        }

        using var cleared = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = (string?)null });

        await Expect.StatusAsync(HttpStatusCode.NoContent, cleared);
        Assert.Equal(JsonValueKind.Null, (await host.Admin.GetJsonAsync("/api/themes")).GetProperty("defaultThemeId").ValueKind);
        Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM HostSettings WHERE Key = 'theme.default'"));
    }

    [Fact]
    public async Task SetDefault_UnknownTheme_400()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = "com.example.gone/x" });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "theme.not_found", response);
    }
}
