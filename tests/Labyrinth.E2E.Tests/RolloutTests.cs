using System.Collections.Concurrent;
using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Groups, availability and staged rollouts as people meet them: a member outside a plugin's groups
/// neither sees it nor loads its code and gets it live when an admin adds them; a new version that
/// throws on mount is rolled back by the host after its first opens, and the cards that were open
/// on it re-mount in place on the previous version. Each test installs a plugin of its own and
/// removes it at the end.
/// </summary>
public sealed class RolloutTests(E2EEnvironment env)
{
    private const string MemberPassword = "member password 123";

    /// <summary>A member outside the plugin's groups: no spawn item, the notice instead of the card's code; joining the group brings both back without a reload.</summary>
    [Fact(Timeout = 180_000)]
    public async Task Availability_MemberOutsideTheGroups_NoticeUntilAddedThenLiveWithoutReload()
    {
        const string id = "dev.e2e.avail";
        var tmp = Directory.CreateTempSubdirectory("labyrinth-avail-").FullName;
        var (adminCtx, admin) = await env.AdminPageAsync();
        var memberCtx = await env.NewContextAsync(env.Server);
        string? group = null;
        try
        {
            await admin.GotoAsync("/");
            Assert.Equal(201, await UploadAsync(admin, await PackAsync(tmp, id, "1.0.0", "avail", "Avail", Works("avail", "v1")), ""));
            var name = "avail-" + Guid.NewGuid().ToString("N")[..6];
            var user = await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = name, password = MemberPassword, role = "member" });
            Assert.True(user.Status == 201, user.Text);
            var userId = user.Json!.Value.GetProperty("id").GetString()!;
            var created = await Ui.ApiAsync(admin, "POST", "/api/admin/groups", new { name = "Avail pilots " + name });
            Assert.True(created.Status == 201, created.Text);
            group = created.Json!.Value.GetProperty("id").GetString()!;

            // The member adds the card while the plugin is available to everyone.
            var member = await memberCtx.NewPageAsync();
            await member.GotoAsync("/");
            await Ui.LoginAsync(member, name, MemberPassword);
            var boardId = await Ui.CreateBoardAsync(member);
            var win = await Ui.SpawnAsync(member, "avail");
            var body = win.FrameLocator("iframe").GetByTestId("avail-body");
            await Expect(body).ToHaveTextAsync("v1");

            // The admin limits it to a group she is not in: her card drops its frame and says why (live push).
            var limited = await Ui.ApiAsync(admin, "PUT", $"/api/admin/plugins/{id}/availability", new { groups = new[] { group } });
            Assert.True(limited.Status == 200, limited.Text);
            var notice = win.GetByTestId("card-error");
            await Expect(notice).ToContainTextAsync("Not available to you");
            await Expect(win.Locator("iframe")).ToHaveCountAsync(0);

            // After a reload the page never asks for the plugin's frame or files: the hello card
            // spawned afterwards is the barrier (its frame loads after everything the board loaded).
            var requested = new ConcurrentQueue<string>();
            member.Request += (_, r) => requested.Enqueue(r.Url);
            await member.ReloadAsync();
            await Expect(notice).ToContainTextAsync("Not available to you");
            await member.GetByTestId("spawn-button").ClickAsync();
            await Expect(member.GetByTestId("spawn-item-hello")).ToBeVisibleAsync();
            await Expect(member.GetByTestId("spawn-item-avail")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(member, "rollout-01-not-available");
            await member.Keyboard.PressAsync("Escape");
            var hello = await Ui.SpawnAsync(member, "hello");
            await Expect(hello.FrameLocator("iframe").GetByTestId("count")).ToBeVisibleAsync();
            Assert.DoesNotContain(requested, u => u.Contains($"/{id}/", StringComparison.Ordinal));

            // The admin adds her to the group: the card comes back to life and the menu lists it, no reload.
            var added = await Ui.ApiAsync(admin, "POST", $"/api/admin/groups/{group}/members", new { userId });
            Assert.True(added.Status == 200, added.Text);
            await Expect(notice).ToHaveCountAsync(0);
            await Expect(body).ToHaveTextAsync("v1");
            await member.GetByTestId("spawn-button").ClickAsync();
            await Expect(member.GetByTestId("spawn-item-avail")).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(member, "rollout-02-available-again");
            await member.Keyboard.PressAsync("Escape");
        }
        finally
        {
            await Ui.ApiAsync(admin, "PUT", $"/api/admin/plugins/{id}/availability", new { groups = (string[]?)null });
            if (group is not null)
            {
                await Ui.ApiAsync(admin, "DELETE", $"/api/admin/groups/{group}");
            }

            await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{id}/disable", new { });
            await memberCtx.CloseAsync();
            await adminCtx.CloseAsync();
        }
    }

    /// <summary>
    /// 2.0.0 throws on mount for the group it goes to first: after its third open the host rolls back by
    /// itself, the audit row carries the rates, and the cards open on 2.0.0 re-mount in place on
    /// 1.0.0 (with their saved state) without a reload.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task AutoRollback_NewVersionThrowsOnMount_RollsBackAndOpenCardsReturnToPreviousVersion()
    {
        const string id = "dev.e2e.rollback";
        var tmp = Directory.CreateTempSubdirectory("labyrinth-rollback-").FullName;
        var (adminCtx, admin) = await env.AdminPageAsync();
        var memberCtx = await env.NewContextAsync(env.Server);
        string? group = null;
        try
        {
            await admin.GotoAsync("/");
            Assert.Equal(201, await UploadAsync(admin, await PackAsync(tmp, id, "1.0.0", "rb", "Rollback", Works("rb", "v1")), ""));
            var name = "rb-" + Guid.NewGuid().ToString("N")[..6];
            var user = await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = name, password = MemberPassword, role = "member" });
            Assert.True(user.Status == 201, user.Text);
            var created = await Ui.ApiAsync(admin, "POST", "/api/admin/groups", new { name = "Rollback pilots " + name });
            Assert.True(created.Status == 201, created.Text);
            group = created.Json!.Value.GetProperty("id").GetString()!;
            var added = await Ui.ApiAsync(admin, "POST", $"/api/admin/groups/{group}/members", new { userId = user.Json!.Value.GetProperty("id").GetString() });
            Assert.True(added.Status == 200, added.Text);

            var member = await memberCtx.NewPageAsync();
            await member.GotoAsync("/");
            await Ui.LoginAsync(member, name, MemberPassword);
            var boardId = await Ui.CreateBoardAsync(member);
            var before = await Ui.SpawnAsync(member, "rb");
            await Expect(before.FrameLocator("iframe").GetByTestId("rb-body")).ToHaveTextAsync("v1");

            // 2.0.0 goes to her group first, judged on its first 3 opens.
            var broken = await PackAsync(tmp, id, "2.0.0", "rb", "Rollback", "export function mountPlugin() { throw new Error('boom on purpose'); }\n");
            Assert.Equal(201, await UploadAsync(admin, broken, $"?rolloutGroups={group}&rolloutMinOpens=3"));
            await member.GetByTestId("spawn-button").ClickAsync();
            await Expect(member.GetByTestId("spawn-item-rb")).ToBeVisibleAsync();
            await member.Keyboard.PressAsync("Escape");
            await Eventually.TrueAsync(async () => (await Offered(member, id)) == "2.0.0", "the member is offered 2.0.0");

            // Three new cards on 2.0.0: each fails to mount, and the page reports it.
            var failing = new List<ILocator>();
            for (var i = 0; i < 3; i++)
            {
                var w = await Ui.SpawnAsync(member, "rb");
                failing.Add(w);
                await Expect(w.GetByTestId("card-error")).ToBeVisibleAsync();
            }

            await Ui.ScreenshotAsync(member, "rollout-03-candidate-failing");

            // The host rolled back by itself and says why, with the rates.
            var audit = await Eventually.ReachAsync(
                async () => (await Ui.ApiAsync(admin, "GET", "/api/admin/audit?action=plugin.rollout_auto_rollback")).Json!.Value.GetProperty("items")
                    .EnumerateArray().FirstOrDefault(e => e.GetProperty("pluginId").GetString() == id),
                e => e.ValueKind == JsonValueKind.Object,
                "an automatic rollback audit row for " + id);
            var detail = audit.GetProperty("detail");
            var breach = detail.GetProperty("breaches")[0];
            Assert.Equal("mountFailures", breach.GetProperty("rate").GetString());
            Assert.Equal(1000, breach.GetProperty("candidatePerThousand").GetDouble());
            Assert.Equal(0, breach.GetProperty("previousPerThousand").GetDouble());
            Assert.Equal(3, detail.GetProperty("figures").GetProperty("candidate").GetProperty("opens").GetInt64());

            // Every card that was open on 2.0.0 re-mounts in place on 1.0.0, without a reload.
            foreach (var w in failing)
            {
                await Expect(w.FrameLocator("iframe").GetByTestId("rb-body")).ToHaveTextAsync("v1", new() { Timeout = 15_000 });
                await Expect(w.GetByTestId("card-error")).ToHaveCountAsync(0);
            }

            await Expect(before.FrameLocator("iframe").GetByTestId("rb-body")).ToHaveTextAsync("v1");
            var board = await Ui.GetBoardAsync(member, boardId);
            foreach (var w in failing)
            {
                var dto = Ui.WindowDto(board, await Ui.WindowIdAsync(w));
                Assert.Equal("1.0.0", dto.GetProperty("plugin").GetProperty("version").GetString());
            }

            Assert.Equal("1.0.0", await Offered(member, id));
            await Ui.ScreenshotAsync(member, "rollout-04-rolled-back");
        }
        finally
        {
            await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{id}/rollout/rollback", new { });
            await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{id}/disable", new { });
            if (group is not null)
            {
                await Ui.ApiAsync(admin, "DELETE", $"/api/admin/groups/{group}");
            }

            await memberCtx.CloseAsync();
            await adminCtx.CloseAsync();
        }
    }

    /// <summary>A card that mounts and shows <paramref name="text"/> in an element with test id "{typeId}-body".</summary>
    private static string Works(string typeId, string text) =>
        $$"""
        export function mountPlugin(target) {
          const p = document.createElement('p');
          p.dataset.testid = '{{typeId}}-body';
          p.textContent = '{{text}}';
          target.append(p);
          return () => p.remove();
        }

        """;

    /// <summary>Packs a one-card plugin with the host's local publisher key (trusted at first run) and returns the package's path.</summary>
    private async Task<string> PackAsync(string tmp, string id, string version, string typeId, string name, string script)
    {
        var dir = Path.Combine(tmp, $"{id}-{version}");
        Directory.CreateDirectory(Path.Combine(dir, "cards"));
        var manifest = new
        {
            id,
            name,
            version,
            minHostAPIVersion = "1.0.0",
            author = "E2E",
            description = "A rollout test plugin.",
            license = "MIT",
            cards = new[]
            {
                new
                {
                    typeID = typeId, name, icon = "🧪", runtime = new { kind = "web", entry = "cards/card.js" },
                    defaultSizePt = new { width = 280, height = 160 }, capabilities = Array.Empty<string>(),
                },
            },
        };
        await File.WriteAllTextAsync(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize(manifest), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "cards", "card.js"), script, TestContext.Current.CancellationToken);
        var pkg = Path.Combine(tmp, $"{id}-{version}.labyrinthplugin");
        var pack = await Cli.RunAsync(["plugin", "pack", dir, "--key", Path.Combine(env.Server.DataDir, "keys", "local-publisher.json"), "--out", pkg]);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        return pkg;
    }

    /// <summary>The admin uploads a package (the bytes the admin page's upload sends), with optional rollout parameters; returns the status.</summary>
    private static async Task<int> UploadAsync(IPage admin, string package, string query) =>
        await admin.EvaluateAsync<int>(
            """
            async ([b64, query]) => {
              const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
              const r = await fetch('/api/admin/plugins' + query, {
                method: 'POST',
                headers: { 'Content-Type': 'application/octet-stream', 'X-Labyrinth-Request': '1' },
                body: bytes,
              });
              return r.status;
            }
            """,
            new object[] { Convert.ToBase64String(await File.ReadAllBytesAsync(package)), query });

    /// <summary>The version of a plugin the catalogue offers this person, or null.</summary>
    private static async Task<string?> Offered(IPage page, string pluginId)
    {
        var list = await Ui.ApiAsync(page, "GET", "/api/plugins");
        return list.Json!.Value.EnumerateArray().Where(p => p.GetProperty("id").GetString() == pluginId)
            .Select(p => p.GetProperty("version").GetString()).FirstOrDefault();
    }
}
