using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Audit;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests.Governance;

public sealed class GovernanceMoreTests
{
    private const string Id = "com.example.tool";

    [Fact]
    public async Task AuditVerify_ForgedRowAppended_ReportsInserted()
    {
        await using var host = await GovernanceHost.StartAsync();
        var next = host.Scalar("SELECT MAX(Sequence) FROM AuditEntries") + 1;
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // A self-consistent row (its own hash is right) that does not link to the real head.
        var hash = AuditChain.ComputeHash(next, at, "mallory", "trust.add", null, "{}", AuditChain.GenesisHash);
        host.Execute($"INSERT INTO AuditEntries (Sequence, AtUtc, Actor, Action, PluginId, DetailJson, PrevHash, Hash) VALUES ({next}, '2026-01-01 00:00:00', 'mallory', 'trust.add', NULL, '{{}}', '{AuditChain.GenesisHash}', '{hash}')");

        var verdict = await host.Admin.GetJsonAsync("/api/admin/audit/verify");

        Assert.Equal("inserted", verdict.GetProperty("kind").GetString());
        Assert.Equal(next, verdict.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Audit_ParallelChanges_ChainStaysLinear()
    {
        await using var host = await GovernanceHost.StartAsync();
        var keys = Enumerable.Range(0, 12).Select(i => Labyrinth.Core.Signing.PublisherKey.Generate($"k{i}")).ToList();

        var responses = await Task.WhenAll(keys.Select(k =>
            host.Admin.PostAsJsonAsync("/api/admin/trust", new { name = k.Name, publicKey = Convert.ToBase64String(k.PublicKey) })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var verdict = await host.Admin.GetJsonAsync("/api/admin/audit/verify");
        Assert.True(verdict.GetProperty("valid").GetBoolean(), verdict.GetProperty("message").GetString());
        Assert.Equal(host.Scalar("SELECT COUNT(*) FROM AuditEntries"), host.Scalar("SELECT MAX(Sequence) FROM AuditEntries"));
        keys.ForEach(k => k.Dispose());
    }

    [Fact]
    public async Task CardLoadFailure_IsAudited_OncePerMinute()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        var report = new { pluginId = Id, version = "1.0.0", typeID = "t", ok = false, loadMs = 5, error = "TypeError: boom" };

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Admin.PostAsJsonAsync("/api/telemetry/card-load", report);
            await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        }

        var items = (await host.Admin.GetJsonAsync("/api/admin/audit?action=card.mount_failed")).GetProperty("items");
        var entry = Assert.Single(items.EnumerateArray());
        Assert.Equal(Id, entry.GetProperty("pluginId").GetString());
        Assert.Equal("TypeError: boom", entry.GetProperty("detail").GetProperty("error").GetString());
    }

    [Fact]
    public async Task PluginsHub_RequiresSignIn()
    {
        await using var host = await GovernanceHost.StartAsync();
        var anonymous = await host.App.CreateClientAsync();

        using var refused = await anonymous.PostAsync("/hubs/plugins/negotiate?negotiateVersion=1", null);
        using var accepted = await host.Admin.PostAsync("/hubs/plugins/negotiate?negotiateVersion=1", null);

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, refused);
        await Expect.StatusAsync(HttpStatusCode.OK, accepted);
        Assert.True((await accepted.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("connectionToken", out _));
    }

    [Fact]
    public async Task ExamplePlugins_DependantSortsBeforeItsDependency_BothInstallWithoutARefusalLogged()
    {
        var examples = Path.Combine(Path.GetTempPath(), "labyrinth-examples-" + Guid.NewGuid().ToString("N"));
        const string Base = "dev.test.zbase";
        const string Widget = "dev.test.awidget";
        foreach (var (folder, files) in new[] { ("a-widget", Packages.Plugin(Widget, "1.0.0", new Dictionary<string, string> { [Base] = "^1.0.0" })), ("z-base", Packages.Plugin(Base, "1.0.0")) })
        {
            var dist = Path.Combine(examples, folder, "dist");
            Directory.CreateDirectory(Path.Combine(dist, "cards"));
            foreach (var (path, bytes) in files)
            {
                await File.WriteAllBytesAsync(Path.Combine(dist, path), bytes);
            }
        }

        var data = Path.Combine(Path.GetTempPath(), "labyrinth-gov-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:DataDir"] = data, ["Labyrinth:ExamplePluginsDir"] = examples });
            var admin = await app.SetupAdminAsync();

            var installed = (await admin.GetJsonAsync("/api/admin/plugins")).EnumerateArray().Select(p => p.Id()).ToList();
            Assert.Contains(Widget, installed);
            Assert.Contains(Base, installed);
            Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("refused", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var dir in new[] { examples, data })
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    [Fact]
    public async Task ExamplePlugins_SignedByLocalKey_RebuiltSameVersion_ReplacedAndAudited()
    {
        var examples = Path.Combine(Path.GetTempPath(), "labyrinth-examples-" + Guid.NewGuid().ToString("N"));
        var dist = Path.Combine(examples, "tool", "dist");
        Directory.CreateDirectory(Path.Combine(dist, "cards"));
        foreach (var (path, bytes) in Packages.Plugin(Id, "1.0.0"))
        {
            await File.WriteAllBytesAsync(Path.Combine(dist, path), bytes);
        }

        var data = Path.Combine(Path.GetTempPath(), "labyrinth-gov-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Labyrinth:DataDir"] = data, ["Labyrinth:ExamplePluginsDir"] = examples };
        try
        {
            await using (var first = new LabyrinthApp(settings))
            {
                var admin = await first.SetupAdminAsync();
                var plugin = (await admin.GetJsonAsync("/api/admin/plugins")).EnumerateArray().Single(p => p.Id() == Id);
                var signature = plugin.GetProperty("versions")[0].GetProperty("signature");
                Assert.Equal("Labyrinth local publisher", signature.GetProperty("keyName").GetString());
                Assert.True(File.Exists(Path.Combine(data, "keys", "local-publisher.json")));
            }

            await File.WriteAllTextAsync(Path.Combine(dist, "cards", "t.js"), "export default 'rebuilt';", Encoding.UTF8);
            await using var second = new LabyrinthApp(settings);
            var client = await second.CreateClientAsync();
            using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = LabyrinthApp.Password }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, login);
            }

            var actions = (await client.GetJsonAsync($"/api/admin/audit?plugin={Id}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
            Assert.Equal(["plugin.replace_dev_build", "plugin.install"], actions);
            Assert.Contains(second.Logs.Entries, e => e.Message.Contains("replaced in place", StringComparison.Ordinal));
            Assert.True((await client.GetJsonAsync("/api/admin/audit/verify")).GetProperty("valid").GetBoolean());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var dir in new[] { examples, data })
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
