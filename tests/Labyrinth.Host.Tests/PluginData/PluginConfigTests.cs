using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests.PluginData;

/// <summary>
/// Plugin configuration: the manifest's <c>configSchema</c> checked at install with pointers, the
/// admin's GET/PUT checked field by field, secrets kept by the vault and never shown again, and
/// what cards and services see.
/// </summary>
public sealed class PluginConfigTests(PluginDataApp shared) : IClassFixture<PluginDataApp>
{
    private static string AdminUrl => $"/api/admin/plugins/{PluginDataApp.Notes}/config";

    public static TheoryData<string, string> BadSchemas => new()
    {
        { """{"type":"object","properties":{"zone":{"type":"string","pattern":"^[A-Z]"}}}""", "/configSchema/properties/zone/pattern" },
        { """{"type":"array"}""", "/configSchema/type" },
        { """{"type":"object"}""", "/configSchema/properties" },
        { """{"type":"object","properties":{"zone":{"type":"date"}}}""", "/configSchema/properties/zone/type" },
        { """{"type":"object","properties":{"n":{"type":"integer","minimum":5,"maximum":1}}}""", "/configSchema/properties/n/maximum" },
        { """{"type":"object","properties":{"n":{"type":"integer","default":1.5}}}""", "/configSchema/properties/n/default" },
        { """{"type":"object","properties":{"s":{"type":"string","maxLength":4,"default":"too long"}}}""", "/configSchema/properties/s/default" },
        { """{"type":"object","properties":{"u":{"type":"string","enum":["a","a"]}}}""", "/configSchema/properties/u/enum/1" },
        { """{"type":"object","properties":{"k":{"type":"string","secret":true,"default":"hunter2"}}}""", "/configSchema/properties/k/default" },
        { """{"type":"object","properties":{"k":{"type":"boolean","secret":true}}}""", "/configSchema/properties/k/secret" },
        { """{"type":"object","properties":{"t":{"type":"array","items":{"type":"number"}}}}""", "/configSchema/properties/t/items" },
        { """{"type":"object","properties":{"g":{"type":"object","properties":{"h":{"type":"object","properties":{}}}}}}""", "/configSchema/properties/g/properties/h/type" },
        { """{"type":"object","properties":{"1bad":{"type":"string"}}}""", "/configSchema/properties/1bad" },
        { """{"type":"object","properties":{"s":{"type":"string","minimum":1}}}""", "/configSchema/properties/s/minimum" },
        { """{"type":"object","properties":{"s":{"type":"string","format":"email"}}}""", "/configSchema/properties/s/format" },
    };

    [Theory]
    [MemberData(nameof(BadSchemas))]
    public async Task Install_WithABrokenConfigSchema_IsRefusedWithItsPointer(string schema, string pointer)
    {
        var manifest = PluginDataApp.Manifest("dev.test.badconfig", JsonDocument.Parse(schema).RootElement);

        using var response = await shared.Cards.InstallPackageAsync(PluginDataApp.Package(manifest));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var pointers = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
        Assert.Contains(pointer, pointers);
    }

    [Fact]
    public async Task Get_BeforeAnySave_ShowsTheDefaultsAndTheSecretNotSet()
    {
        // A plugin of its own: the other tests save this fixture's configuration in any order.
        const string id = "dev.test.fresh";
        using (var installed = await shared.Cards.InstallPackageAsync(PluginDataApp.Package(PluginDataApp.Manifest(id, PluginDataApp.ConfigSchema))))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        var config = await GetAsync($"/api/admin/plugins/{id}/config");

        Assert.Equal("object", config.GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("not set", config.GetProperty("secrets").GetProperty("/apiKey").GetString());
        Assert.False(config.GetProperty("values").TryGetProperty("apiKey", out _));
        Assert.Equal("UTC", config.GetProperty("values").GetProperty("timeZone").GetString());
        Assert.Equal(0, config.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Put_WithInvalidValues_IsRefusedWithAPointerPerField_AndChangesNothing()
    {
        var before = await GetAsync(AdminUrl);

        using var response = await shared.Admin.PutAsJsonAsync(AdminUrl, new
        {
            values = new { timeZone = 3, refreshSeconds = 0, units = "cubits", tags = new[] { "ok", new string('x', 17) }, display = new { format = "13h" }, bogus = true },
        });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "config.invalid", response);
        var pointers = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
        Assert.Equal(["/timeZone", "/refreshSeconds", "/units", "/tags/1", "/display/format", "/bogus"], pointers);
        var after = await GetAsync(AdminUrl);
        Assert.Equal(before.GetProperty("revision").GetInt64(), after.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Put_WithASecret_StoresIt_ButNeverShowsAuditsOrHandsItToCards()
    {
        const string secret = "sk-live-0123456789abcdef";

        using (var response = await shared.Admin.PutAsJsonAsync(AdminUrl, new { values = new { timeZone = "Europe/Paris", apiKey = secret } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, response);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            Assert.Equal("set", JsonDocument.Parse(body).RootElement.GetProperty("secrets").GetProperty("/apiKey").GetString());
        }

        var member = await shared.Cards.UserAsync();
        var seen = await member.GetJsonAsync($"/api/apps/{PluginDataApp.Notes}/config");
        var audit = await shared.Cards.AuditExportAsync();
        var stored = await shared.Cards.DbAsync(db => Task.FromResult(db.PluginConfigs.Single(c => c.PluginId == PluginDataApp.Notes).SecretsJson));

        Assert.Equal("Europe/Paris", seen.GetProperty("timeZone").GetString());
        Assert.False(seen.TryGetProperty("apiKey", out _));
        Assert.DoesNotContain(secret, seen.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("\"plugin.config\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_OfValidValues_IsWhatCardsSee_WithDefaultsForTheRest()
    {
        using (var response = await shared.Admin.PutAsJsonAsync(AdminUrl, new { values = new { refreshSeconds = 5, tags = new[] { "a" }, display = new { format = "12h" } } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        var member = await shared.Cards.UserAsync();
        var seen = await member.GetJsonAsync($"/api/apps/{PluginDataApp.Notes}/config");

        Assert.Equal(5, seen.GetProperty("refreshSeconds").GetInt32());
        Assert.Equal("12h", seen.GetProperty("display").GetProperty("format").GetString());
        Assert.Equal("metric", seen.GetProperty("units").GetString());
        Assert.False(seen.GetProperty("showSeconds").GetBoolean());
    }

    [Fact]
    public async Task Put_ByAMember_IsForbidden()
    {
        var member = await shared.Cards.UserAsync();

        using var response = await member.PutAsJsonAsync(AdminUrl, new { values = new { timeZone = "Asia/Tokyo" } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Put_ForAPluginWithoutASchema_IsRefused()
    {
        using var response = await shared.Admin.PutAsJsonAsync($"/api/admin/plugins/{PluginDataApp.Other}/config", new { values = new { } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "config.none", response);
    }

    [Fact]
    public async Task Put_OverAnOlderRevision_IsAConflictAndChangesNothing()
    {
        var url = await FreshPluginAsync("dev.test.revision");
        using (var first = await shared.Admin.PutAsJsonAsync(url, new { values = new { timeZone = "Europe/Paris" }, ifRevision = 0 }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, first);
        }

        // A second admin's form, loaded before that save, still says revision 0.
        using var stale = await shared.Admin.PutAsJsonAsync(url, new { values = new { timeZone = "Asia/Tokyo" }, ifRevision = 0 });

        var problem = await Expect.ProblemAsync(HttpStatusCode.Conflict, "config.revision_conflict", stale);
        Assert.Equal(1, problem.GetProperty("revision").GetInt64());
        var config = await GetAsync(url);
        Assert.Equal("Europe/Paris", config.GetProperty("values").GetProperty("timeZone").GetString());
        Assert.Equal(1, config.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Put_ConcurrentSavesOverTheSameRevision_OneIsSavedTheOthersConflict()
    {
        var url = await FreshPluginAsync("dev.test.racing");

        var saves = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = await shared.Admin.PutAsJsonAsync(url, new { values = new { refreshSeconds = 10 + i }, ifRevision = 0 });
            return response.StatusCode;
        }));

        Assert.Equal(1, saves.Count(s => s == HttpStatusCode.OK));
        Assert.All(saves.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(1, (await GetAsync(url)).GetProperty("revision").GetInt64());
    }

    private async Task<string> FreshPluginAsync(string id)
    {
        using (var installed = await shared.Cards.InstallPackageAsync(PluginDataApp.Package(PluginDataApp.Manifest(id, PluginDataApp.ConfigSchema))))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        return $"/api/admin/plugins/{id}/config";
    }

    private Task<JsonElement> GetAsync(string url) => shared.Admin.GetJsonAsync(url);
}
