using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Tests.Governance;
using static Labyrinth.Host.Tests.Themes.ThemePackages;

namespace Labyrinth.Host.Tests.Themes;

/// <summary>Theme plugins: installed like any plugin, refused whole on any theme problem, gone when their plugin is.</summary>
public sealed class ThemePackageTests
{
    private const string ThemeId = Id + "/dusk";

    private static Task<HttpResponseMessage> UploadAsync(GovernanceHost host, Dictionary<string, byte[]> files) =>
        Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(files, host.Key)));

    private static async Task<JsonElement[]> ThemesAsync(HttpClient client) =>
        (await client.GetJsonAsync("/api/themes")).GetProperty("themes").EnumerateArray().ToArray();

    /// <summary>Asserts the refusal left nothing behind; returns the first problem with <paramref name="code"/>.</summary>
    private static async Task<JsonElement> AssertRefusedAsync(GovernanceHost host, HttpResponseMessage response, string code)
    {
        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, code, response);
        Assert.Empty(host.StoreLeftovers());
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
        Assert.False(Directory.Exists(Path.Combine(host.DataDir, "plugins", Id)));
        Assert.DoesNotContain(await ThemesAsync(host.Admin), t => t.Id() == ThemeId);
        return problem.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("code").GetString() == code);
    }

    [Fact]
    public async Task Upload_ThemesOnlyPackage_ThemeListedWithPreview()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await UploadAsync(host, Plugin());

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var theme = (await ThemesAsync(host.Admin)).Single(t => t.Id() == ThemeId);
        Assert.Equal("plugin", theme.GetProperty("source").GetString());
        Assert.Equal(Id, theme.GetProperty("pluginId").GetString());
        Assert.Equal("#101418", theme.GetProperty("cssVars").GetProperty("--lab-canvas-bg").GetString());
        var previewUrl = theme.GetProperty("previewUrl").GetString()!;
        Assert.Equal($"http://{CardSites.HostFor(host.Admin, Id, "1.0.0")}{await CardSites.PrefixAsync(host.Admin, Id, "1.0.0")}/plugins/{Id}/1.0.0/themes/dusk.png", previewUrl);
        using var preview = await host.Admin.GetOnCardOriginAsync(new Uri(previewUrl).PathAndQuery);
        await Expect.StatusAsync(HttpStatusCode.OK, preview);
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain((await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray(), p => p.Id() == Id);
    }

    [Theory]
    [InlineData("url(https://evil.example/x)", "url(")]
    [InlineData("<script>alert(1)</script>", "<")]
    [InlineData("system; } body { background: red", ";")]
    [InlineData("javascript:alert(1)", "javascript:")]
    public async Task Upload_ThemeWithCssUrlOrScript_RefusedWithEntryAndPointer(string value, string fragment)
    {
        await using var host = await GovernanceHost.StartAsync();
        var theme = $$"""{ "themeID": "dusk", "name": "Dusk", "tokens": { "ui.font.body": {{JsonSerializer.Serialize(value)}} } }""";

        using var response = await UploadAsync(host, Plugin(theme: theme));

        var problem = await AssertRefusedAsync(host, response, "theme.invalid");
        Assert.Equal("themes/dusk.json", problem.GetProperty("entry").GetString());
        Assert.Equal("/tokens/ui.font.body", problem.GetProperty("pointer").GetString());
        Assert.Contains($"\"{fragment}\"", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ThemeFailingContrast_RefusedNamingRatio()
    {
        await using var host = await GovernanceHost.StartAsync();
        var theme = """{ "themeID": "dusk", "name": "Dusk", "tokens": { "ui.panel.background": "#ffffff", "ui.text.primary": "#eeeeee" } }""";

        using var response = await UploadAsync(host, Plugin(theme: theme));

        var problem = await AssertRefusedAsync(host, response, "theme.invalid");
        Assert.Equal("/tokens/ui.text.primary", problem.GetProperty("pointer").GetString());
        Assert.StartsWith("contrast 1.16:1 against ui.panel.background", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_CssFileUnderThemes_Refused()
    {
        await using var host = await GovernanceHost.StartAsync();
        var files = Plugin();
        files["themes/extra.css"] = Encoding.UTF8.GetBytes("body { background: url(https://evil.example) }");

        using var response = await UploadAsync(host, files);

        var problem = await AssertRefusedAsync(host, response, "theme.file_not_allowed");
        Assert.Equal("themes/extra.css", problem.GetProperty("entry").GetString());
    }

    [Fact]
    public async Task Upload_PreviewNotReallyPng_Refused()
    {
        await using var host = await GovernanceHost.StartAsync();
        var files = Plugin();
        files["themes/dusk.png"] = Encoding.UTF8.GetBytes("<svg onload=alert(1)>");

        using var response = await UploadAsync(host, files);

        var problem = await AssertRefusedAsync(host, response, "theme.invalid_preview");
        Assert.Equal("themes/dusk.png", problem.GetProperty("entry").GetString());
    }

    [Fact]
    public async Task Upload_ThemeIdDiffersFromManifest_Refused()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await UploadAsync(host, Plugin(theme: Theme(themeId: "dawn")));

        var problem = await AssertRefusedAsync(host, response, "theme.invalid");
        Assert.Equal("/themeID", problem.GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task Upload_ManifestThemePathOutsideThemes_RefusedAtManifestPointer()
    {
        await using var host = await GovernanceHost.StartAsync();
        var files = Plugin(preview: false);
        files["manifest.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files["manifest.json"]).Replace("themes/dusk.json", "dusk.json", StringComparison.Ordinal));
        files["dusk.json"] = files["themes/dusk.json"];
        files.Remove("themes/dusk.json");

        using var response = await UploadAsync(host, files);

        var problem = await AssertRefusedAsync(host, response, "manifest.invalid");
        Assert.Equal("/themes/0/path", problem.GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task DisablePlugin_ThemesDisappearAndChoiceFallsBack_EnableRestores()
    {
        await using var host = await GovernanceHost.StartAsync();
        using (var installed = await UploadAsync(host, Plugin()))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        using (var chosen = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = ThemeId }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, chosen);
        }

        using (var disabled = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/disable", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, disabled);
        }

        var whileDisabled = await host.Admin.GetJsonAsync("/api/themes");
        Assert.DoesNotContain(whileDisabled.GetProperty("themes").EnumerateArray(), t => t.Id() == ThemeId);
        Assert.Equal(JsonValueKind.Null, whileDisabled.GetProperty("userThemeId").ValueKind);

        using (var enabled = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/enable", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, enabled);
        }

        Assert.Equal(ThemeId, (await host.Admin.GetJsonAsync("/api/themes")).GetProperty("userThemeId").GetString());
    }

    [Fact]
    public async Task KillPlugin_ThemesDisappear()
    {
        await using var host = await GovernanceHost.StartAsync();
        using (var installed = await UploadAsync(host, Plugin()))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        using (var killed = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/kill", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, killed);
        }

        Assert.DoesNotContain(await ThemesAsync(host.Admin), t => t.Id() == ThemeId);
    }

    [Fact]
    public async Task Uninstall_ThemesDisappear()
    {
        await using var host = await GovernanceHost.StartAsync();
        using (var installed = await UploadAsync(host, Plugin()))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        using (var removed = await host.Admin.DeleteAsync($"/api/admin/plugins/{Id}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, removed);
        }

        Assert.DoesNotContain(await ThemesAsync(host.Admin), t => t.Id() == ThemeId);
    }

    [Fact]
    public async Task UserChoiceAndDefault_SurviveRestart()
    {
        await using var host = await GovernanceHost.StartAsync();
        using (var installed = await UploadAsync(host, Plugin()))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        using (var chosen = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/me/theme", new { themeId = ThemeId }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, chosen);
        }

        using (var setDefault = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/themes/default", new { themeId = "dark" }))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, setDefault);
        }

        await host.RestartAsync();

        var themes = await host.Admin.GetJsonAsync("/api/themes");
        Assert.Equal(ThemeId, themes.GetProperty("userThemeId").GetString());
        Assert.Equal("dark", themes.GetProperty("defaultThemeId").GetString());
    }
}
