using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Signing;

namespace Labyrinth.Host.Tests.Governance;

public sealed class GovernanceTests
{
    private const string Id = "com.example.tool";

    private static async Task AssertRefusedCleanly(GovernanceHost host, HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await Expect.ProblemAsync(status, code, response);
        Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("code").GetString() == code);
        Assert.Empty(host.StoreLeftovers());
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
    }

    [Fact]
    public async Task Upload_SignedByTrustedKey_InstallsAndListsSignature()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await host.InstallAsync(Id, "1.0.0");

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("1.0.0", body.GetProperty("installed").GetProperty("version").GetString());
        var version = body.GetProperty("plugin").GetProperty("versions")[0];
        Assert.Equal("trusted", version.GetProperty("signature").GetProperty("status").GetString());
        Assert.Equal("Test publisher", version.GetProperty("signature").GetProperty("keyName").GetString());
        Assert.Matches("^[0-9a-f]{64}$", version.GetProperty("digest").GetString());
        Assert.Contains((await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray(), p => p.Id() == Id);
        using var file = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js");
        await Expect.StatusAsync(HttpStatusCode.OK, file);
        Assert.Empty(host.StoreLeftovers());
    }

    [Fact]
    public async Task Upload_FileChangedAfterSigning_RefusedTampered()
    {
        await using var host = await GovernanceHost.StartAsync();
        var signed = Packages.Sign(Packages.Plugin(Id, "1.0.0"), host.Key);
        signed["cards/t.js"] = Encoding.UTF8.GetBytes("fetch('https://evil.example')");

        using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(signed));

        await AssertRefusedCleanly(host, response, HttpStatusCode.BadRequest, "signature.tampered");
    }

    [Fact]
    public async Task Upload_SignedByUntrustedKey_RefusedUntrustedKey()
    {
        await using var host = await GovernanceHost.StartAsync();
        using var stranger = PublisherKey.Generate("Stranger");

        using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(Packages.Plugin(Id, "1.0.0"), stranger)));

        await AssertRefusedCleanly(host, response, HttpStatusCode.BadRequest, "signature.untrusted_key");
    }

    [Fact]
    public async Task Upload_SignedByUntrustedKey_SaysWhereAnAdminTrustsTheKey()
    {
        await using var host = await GovernanceHost.StartAsync();
        using var stranger = PublisherKey.Generate("Stranger");

        using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(Packages.Plugin(Id, "1.0.0"), stranger)));

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "signature.untrusted_key", response);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains(stranger.KeyId, detail, StringComparison.Ordinal);
        Assert.Contains("Admin → Plugins → Trusted keys", detail, StringComparison.Ordinal);
        Assert.Contains("labyrinth keys trust", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_UnsignedUnderStrict_RefusedThenInstallsWhenAllowlisted()
    {
        await using var host = await GovernanceHost.StartAsync();
        var unsigned = Packages.Zip(Packages.Plugin(Id, "1.0.0"));

        using (var refused = await Packages.UploadAsync(host.Admin, unsigned))
        {
            await AssertRefusedCleanly(host, refused, HttpStatusCode.BadRequest, "signature.missing");
        }

        using (var policy = await host.Admin.SendJsonAsync(HttpMethod.Put, "/api/admin/policy", new { unsignedAllowlist = new[] { Id } }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, policy);
        }

        using var installed = await Packages.UploadAsync(host.Admin, unsigned);
        await Expect.StatusAsync(HttpStatusCode.Created, installed);
        var plugin = await host.PluginAsync(Id);
        Assert.True(plugin.GetProperty("unsignedAllowed").GetBoolean());
        Assert.Equal("unsigned-allowlisted", plugin.GetProperty("versions")[0].GetProperty("signature").GetProperty("status").GetString());

        // The badge travels to every member-facing surface too: the spawn catalogue carries it.
        using var catalogue = await host.Admin.GetAsync(new Uri("/api/plugins", UriKind.Relative), TestContext.Current.CancellationToken);
        using var doc = System.Text.Json.JsonDocument.Parse(await catalogue.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var listed = doc.RootElement.EnumerateArray().Single(p => p.GetProperty("id").GetString() == Id);
        Assert.Equal("unsigned-allowlisted", listed.GetProperty("signature").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Upload_HostilePackages_EachRefusedWithItsCodeAndAllProblems()
    {
        await using var host = await GovernanceHost.StartAsync();
        var traversal = Packages.Plugin(Id, "1.0.0");
        traversal["../escape.js"] = [1];
        traversal["evil.exe"] = [2];
        var badManifest = Packages.Plugin(Id, "1.0.0");
        badManifest["manifest.json"] = Encoding.UTF8.GetBytes("""{"id":"Not-DNS","name":"x","version":"one","minHostAPIVersion":"1.0.0","bogus":1,"dependencies":{"com.example.base":"not a range"},"cards":[]}""");

        using (var response = await Packages.UploadAsync(host.Admin, Packages.Zip(traversal)))
        {
            var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "package.invalid_name", response);
            var codes = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
            Assert.Contains("package.extension_not_allowed", codes);
        }

        using (var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(badManifest, host.Key))))
        {
            var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "manifest.invalid", response);
            var pointers = problem.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
            Assert.Contains("/id", pointers);
            Assert.Contains("/version", pointers);
            Assert.Contains("/bogus", pointers);
            Assert.Contains("/dependencies/com.example.base", pointers);
        }

        using (var response = await Packages.UploadAsync(host.Admin, Encoding.UTF8.GetBytes("not a zip at all")))
        {
            await Expect.StatusAsync(HttpStatusCode.BadRequest, response);
        }

        using (var response = await Packages.UploadAsync(host.Admin, new byte[(20 * 1024 * 1024) + 1]))
        {
            await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "package.too_large", response);
        }

        Assert.Empty(host.StoreLeftovers());
        Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM PluginVersions"));
        Assert.Equal(0, host.Scalar("SELECT COUNT(*) FROM Plugins"));
        Assert.Equal(4, host.Scalar("SELECT COUNT(*) FROM AuditEntries WHERE Action = 'plugin.install_rejected'"));
    }

    [Fact]
    public async Task Upload_SameVersionDifferentBytes_RefusedImmutable_SameBytesIdempotent()
    {
        await using var host = await GovernanceHost.StartAsync();
        var package = Packages.Zip(Packages.Sign(Packages.Plugin(Id, "1.0.0"), host.Key));
        using (var first = await Packages.UploadAsync(host.Admin, package))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, first);
        }

        using (var again = await Packages.UploadAsync(host.Admin, package))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, again);
        }

        using var bumped = await host.InstallAsync(Id, "1.0.0", script: "export default 2;");

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "version.immutable", bumped);
        Assert.Empty(host.StoreLeftovers());
        Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
    }

    [Fact]
    public async Task Upload_LowerVersion_RefusedUnlessRollback()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "2.0.0");

        using (var downgrade = await host.InstallAsync(Id, "1.0.0"))
        {
            await Expect.ProblemAsync(HttpStatusCode.Conflict, "version.downgrade", downgrade);
        }

        Assert.Equal(1, host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
        using var rollback = await host.InstallAsync(Id, "1.0.0", rollback: true);
        await Expect.StatusAsync(HttpStatusCode.Created, rollback);
        Assert.Equal("1.0.0", (await host.PluginAsync(Id)).GetProperty("activeVersion").GetString());

        using (var up = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/activate", new { version = "2.0.0" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, up);
        }

        using (var down = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/activate", new { version = "1.0.0" }))
        {
            await Expect.ProblemAsync(HttpStatusCode.Conflict, "version.downgrade", down);
        }

        using var explicitRollback = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/activate", new { version = "1.0.0", rollback = true });
        await Expect.StatusAsync(HttpStatusCode.OK, explicitRollback);
        Assert.Equal(2, host.Scalar($"SELECT COUNT(*) FROM AuditEntries WHERE Action = 'plugin.rollback' AND PluginId = '{Id}'"));
    }

    [Fact]
    public async Task Dependencies_MissingNamesChain_DisableRefusedWithDependents_CascadeDisablesBoth()
    {
        await using var host = await GovernanceHost.StartAsync();
        var needsBase = new Dictionary<string, string> { ["com.example.base"] = "^1.0.0" };

        using (var missing = await host.InstallAsync(Id, "1.0.0", needsBase))
        {
            var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "dependency.missing", missing);
            Assert.Contains("com.example.tool@1.0.0 → com.example.base (^1.0.0)", problem.GetProperty("problems")[0].GetProperty("message").GetString());
        }

        Assert.Empty(host.StoreLeftovers());
        await host.InstallOkAsync("com.example.base", "1.2.0");
        await host.InstallOkAsync(Id, "1.0.0", needsBase);

        using (var refused = await host.Admin.SendJsonAsync(HttpMethod.Post, "/api/admin/plugins/com.example.base/disable", new { }))
        {
            var problem = await Expect.ProblemAsync(HttpStatusCode.Conflict, "dependency.required_by_others", refused);
            Assert.Equal([Id], problem.GetProperty("dependents").EnumerateArray().Select(d => d.GetString()));
        }

        using (var uninstall = await host.Admin.DeleteAsync("/api/admin/plugins/com.example.base"))
        {
            await Expect.ProblemAsync(HttpStatusCode.Conflict, "dependency.required_by_others", uninstall);
        }

        using var cascade = await host.Admin.SendJsonAsync(HttpMethod.Post, "/api/admin/plugins/com.example.base/disable", new { cascade = true });
        await Expect.StatusAsync(HttpStatusCode.OK, cascade);
        Assert.False((await host.PluginAsync(Id)).GetProperty("enabled").GetBoolean());
        Assert.DoesNotContain((await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray(), p => p.Id() == Id);
    }

    [Fact]
    public async Task Kill_FilesGoneSpawnRefusedSurvivesRestart_UnkillRestores()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");

        using (var kill = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/kill", new { reason = "CVE" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
            Assert.True((await kill.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("killed").GetBoolean());
        }

        using (var file = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js"))
        {
            await Expect.ProblemAsync(HttpStatusCode.Gone, "plugin.killed", file);
        }

        using (var frame = await host.Admin.GetOnCardOriginAsync($"/cards/frame/{Id}/1.0.0/t"))
        {
            await Expect.StatusAsync(HttpStatusCode.Gone, frame);
        }

        var board = await LabyrinthApp.CreateBoardAsync(host.Admin);
        using (var spawn = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", new { kind = "plugin", plugin = new { pluginId = Id, typeID = "t", version = "1.0.0" } }, board.ETag()))
        {
            Assert.Equal("spawn.plugin_killed", (await spawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.DoesNotContain((await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray(), p => p.Id() == Id);

        await host.RestartAsync();
        using (var file = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js"))
        {
            await Expect.StatusAsync(HttpStatusCode.Gone, file);
        }

        using (var unkill = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/unkill", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, unkill);
        }

        using var served = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js");
        await Expect.StatusAsync(HttpStatusCode.OK, served);
    }

    [Fact]
    public async Task KillVersion_OnlyThatVersionGone()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        await host.InstallOkAsync(Id, "1.1.0");

        using (var kill = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}@1.0.0/kill", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
        }

        using var old = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js");
        using var current = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.1.0/cards/t.js");
        await Expect.StatusAsync(HttpStatusCode.Gone, old);
        await Expect.StatusAsync(HttpStatusCode.OK, current);
    }

    [Fact]
    public async Task Uninstall_RemovesFilesAndRows_KeepsAudit()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");

        using var response = await host.Admin.DeleteAsync($"/api/admin/plugins/{Id}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.False(Directory.Exists(Path.Combine(host.DataDir, "plugins", Id)));
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
        var audit = await host.Admin.GetJsonAsync($"/api/admin/audit?plugin={Id}");
        Assert.Equal(["plugin.uninstall", "plugin.install"], audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()));
        using var file = await host.Admin.GetOnCardOriginAsync($"/plugins/{Id}/1.0.0/cards/t.js");
        await Expect.StatusAsync(HttpStatusCode.NotFound, file);
    }

    [Theory]
    [InlineData("UPDATE AuditEntries SET Actor = 'mallory' WHERE Sequence = 2", "edited", 2)]
    [InlineData("DELETE FROM AuditEntries WHERE Sequence = 2", "deleted", 2)]
    [InlineData("UPDATE AuditEntries SET Sequence = -2 WHERE Sequence = 2; UPDATE AuditEntries SET Sequence = 2 WHERE Sequence = 3; UPDATE AuditEntries SET Sequence = 3 WHERE Sequence = -2", "reordered", 2)]
    public async Task AuditVerify_TamperedRow_ReportsKind(string tamper, string kind, long sequence)
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        using (var kill = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/kill", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
        }

        var valid = await host.Admin.GetJsonAsync("/api/admin/audit/verify");
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.True(valid.GetProperty("entriesChecked").GetInt32() >= 4);

        host.Execute(tamper);

        var verdict = await host.Admin.GetJsonAsync("/api/admin/audit/verify");
        Assert.False(verdict.GetProperty("valid").GetBoolean());
        Assert.Equal(kind, verdict.GetProperty("kind").GetString());
        Assert.Equal(sequence, verdict.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task AuditExport_IsNdjsonOfEveryEntry()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await host.Admin.GetAsync("/api/admin/audit/export");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        using var stream = await response.Content.ReadAsStreamAsync();
        var read = Labyrinth.Core.Audit.AuditJsonLines.Read(stream);
        Assert.True(read.IsValid);
        Assert.Contains(read.Entries, e => e.Action == "trust.add" && e.Actor == "system");
        Assert.True(Labyrinth.Core.Audit.AuditChain.Verify(read.Entries).IsValid);
    }

    [Fact]
    public async Task AdminEndpoints_Member_Gets403()
    {
        await using var host = await GovernanceHost.StartAsync();
        var member = await host.App.CreateMemberAsync("bob", host.Admin);

        (HttpMethod Method, string Url)[] endpoints =
        [
            (HttpMethod.Get, "/api/admin/plugins"), (HttpMethod.Post, "/api/admin/plugins"), (HttpMethod.Post, $"/api/admin/plugins/{Id}/enable"),
            (HttpMethod.Post, $"/api/admin/plugins/{Id}/disable"), (HttpMethod.Post, $"/api/admin/plugins/{Id}/kill"), (HttpMethod.Post, $"/api/admin/plugins/{Id}/unkill"),
            (HttpMethod.Post, $"/api/admin/plugins/{Id}/activate"), (HttpMethod.Delete, $"/api/admin/plugins/{Id}"), (HttpMethod.Get, "/api/admin/trust"),
            (HttpMethod.Post, "/api/admin/trust"), (HttpMethod.Delete, "/api/admin/trust/0000"), (HttpMethod.Get, "/api/admin/policy"),
            (HttpMethod.Put, "/api/admin/policy"), (HttpMethod.Get, "/api/admin/audit"), (HttpMethod.Get, "/api/admin/audit/export"), (HttpMethod.Get, "/api/admin/audit/verify"),
        ];
        foreach (var (method, url) in endpoints)
        {
            using var response = await member.SendJsonAsync(method, url, method == HttpMethod.Get || method == HttpMethod.Delete ? null : new { });
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task PersonalAccessToken_AuthenticatesAdminApi_RevokedGets401()
    {
        await using var host = await GovernanceHost.StartAsync();
        using var created = await host.Admin.PostAsJsonAsync("/api/tokens", new { name = "cli" });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var token = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = token.GetProperty("token").GetString()!;
        Assert.StartsWith("lab_pat_", secret);
        Assert.Equal(0, host.Scalar($"SELECT COUNT(*) FROM PersonalAccessTokens WHERE TokenHash = '{secret}'"));

        var cli = host.App.CreateClient(new() { HandleCookies = false, BaseAddress = host.App.ServerAddress });
        cli.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var package = Packages.Zip(Packages.Sign(Packages.Plugin(Id, "1.0.0"), host.Key));
        using (var upload = await Packages.UploadAsync(cli, package))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, upload); // no CSRF header: a bearer token is not ambient
        }

        var listed = await host.Admin.GetJsonAsync("/api/tokens");
        Assert.NotEqual(JsonValueKind.Null, listed[0].GetProperty("lastUsedAt").ValueKind);
        Assert.False(listed[0].TryGetProperty("token", out _));
        Assert.Contains((await host.Admin.GetJsonAsync($"/api/admin/audit?actor={LabyrinthApp.AdminName}&action=plugin.install")).GetProperty("items").EnumerateArray(), _ => true);

        using (var mint = await cli.PostAsJsonAsync("/api/tokens", new { name = "more" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Unauthorized, mint); // a token cannot mint tokens
        }

        using (var revoke = await host.Admin.DeleteAsync($"/api/tokens/{token.Id()}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        }

        using var after = await cli.GetAsync("/api/admin/plugins");
        await Expect.ProblemAsync(HttpStatusCode.Unauthorized, "auth.invalid_token", after);
    }

    [Fact]
    public async Task Metrics_CountInstallsRejectionsKills()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        using (var refused = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Plugin("com.example.other", "1.0.0"))))
        {
            await Expect.StatusAsync(HttpStatusCode.BadRequest, refused);
        }

        using (var kill = await host.Admin.SendJsonAsync(HttpMethod.Post, $"/api/admin/plugins/{Id}/kill", new { }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
        }

        var metrics = HttpClientExtensions.WithoutInstanceLabel(await (await host.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync());
        Assert.Contains("labyrinth_plugin_installs_total{result=\"installed\"}", metrics);
        Assert.Contains("labyrinth_plugin_rejections_total{reason=\"signature.missing\"}", metrics);
        Assert.Contains("labyrinth_plugin_kills_total", metrics);
    }

    [Fact]
    public async Task Trust_AddListRemove_Audited()
    {
        await using var host = await GovernanceHost.StartAsync();
        using var other = PublisherKey.Generate("Other");

        using (var bad = await host.Admin.PostAsJsonAsync("/api/admin/trust", new { name = "x", publicKey = "AAAA" }))
        {
            await Expect.ProblemAsync(HttpStatusCode.BadRequest, "trust.invalid_key", bad);
        }

        using (var added = await host.Admin.PostAsJsonAsync("/api/admin/trust", new { name = "Other", publicKey = Convert.ToBase64String(other.PublicKey) }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, added);
        }

        Assert.Contains((await host.Admin.GetJsonAsync("/api/admin/trust")).EnumerateArray(), k => k.GetProperty("keyId").GetString() == other.KeyId);
        using (var removed = await host.Admin.DeleteAsync($"/api/admin/trust/{other.KeyId}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, removed);
        }

        var actions = (await host.Admin.GetJsonAsync("/api/admin/audit?pageSize=100")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.Equal(3, actions.Count(a => a == "trust.add")); // local publisher, test key, Other
        Assert.Single(actions, a => a == "trust.remove");
    }
}
