using System.Diagnostics;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Two instances, A and B, sharing one database and one Redis server: a kill an admin sends to A
/// closes a card open in a browser connected to B, and B refuses to spawn it.
/// </summary>
public sealed class ClusterTests(E2EEnvironment env)
{
    private const string Hello = "dev.labyrinth.hello";

    [Fact(Timeout = 120_000)]
    public async Task Kill_SentToA_ClosesCardOpenOnBAndBRefusesSpawn()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var root = Path.Combine(Path.GetTempPath(), "labyrinth-e2e-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        var dirA = Directory.CreateDirectory(Path.Combine(root, "a")).FullName;
        var dirB = Directory.CreateDirectory(Path.Combine(root, "b")).FullName;
        var prefix = "e2e" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string> Settings(string instance) => new()
        {
            ["Labyrinth:Redis:Configuration"] = redis.Configuration,
            ["Labyrinth:Redis:Prefix"] = prefix,
            ["Labyrinth:InstanceId"] = instance,
        };

        // B's database, plugin store and assets are A's (what a PostgreSQL cluster shares); its keys and caches are its own.
        var a = LabyrinthServer.StartOn(dirA, Settings("a"));
        File.CreateSymbolicLink(Path.Combine(dirB, "labyrinth.db"), Path.Combine(dirA, "labyrinth.db"));
        Directory.CreateSymbolicLink(Path.Combine(dirB, "plugins"), Path.Combine(dirA, "plugins"));
        Directory.CreateDirectory(Path.Combine(dirA, "assets"));
        Directory.CreateSymbolicLink(Path.Combine(dirB, "assets"), Path.Combine(dirA, "assets"));
        var b = LabyrinthServer.StartOn(dirB, Settings("b"));
        var ctxA = await env.NewContextAsync(a);
        var ctxB = await env.NewContextAsync(b);
        try
        {
            // The person on B: sets up the admin (B's setup link is the valid one), opens hello.
            var pageB = await ctxB.NewPageAsync();
            var hubReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pageB.WebSocket += (_, ws) =>
            {
                if (ws.Url.Contains("/hubs/plugins", StringComparison.Ordinal))
                {
                    ws.FrameReceived += (_, _) => hubReady.TrySetResult();
                }
            };
            await Ui.CompleteSetupAsync(pageB, await b.SetupUrlAsync(), E2EEnvironment.AdminUser, E2EEnvironment.AdminPassword);
            var boardId = await Ui.CreateBoardAsync(pageB);
            var win = await Ui.SpawnAsync(pageB, "hello");
            await Expect(win.FrameLocator("iframe[title*='Hello']").GetByTestId("count")).ToBeVisibleAsync();
            await hubReady.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            // The admin, signed in on A, kills hello there.
            var pageA = await ctxA.NewPageAsync();
            await pageA.GotoAsync("/");
            await Ui.LoginAsync(pageA, E2EEnvironment.AdminUser, E2EEnvironment.AdminPassword);
            await Expect(pageA.GetByTestId("user-menu")).ToBeVisibleAsync();
            var killedAt = Stopwatch.StartNew();
            var kill = await Ui.ApiAsync(pageA, "POST", $"/api/admin/plugins/{Hello}/kill", new { reason = "Stopped on A" });
            Assert.True(kill.Status == 200, kill.Text);

            var stopped = win.GetByTestId("card-stopped");
            await Expect(stopped).ToBeVisibleAsync();
            TestContext.Current.SendDiagnosticMessage($"card on B stopped {killedAt.ElapsedMilliseconds} ms after the kill was sent to A");
            await Expect(stopped.GetByTestId("card-stopped-reason")).ToHaveTextAsync("Stopped on A");
            await Expect(win.Locator("iframe")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(pageB, "cluster-01-killed-on-a-stopped-on-b");

            var board = await Ui.GetBoardAsync(pageB, boardId);
            var spawn = await Ui.ApiAsync(pageB, "POST", $"/api/boards/{boardId}/windows", new
            {
                kind = "plugin",
                plugin = new { pluginId = Hello, typeID = "hello" },
            }, Ui.Quote(board.GetProperty("version").GetInt64()));
            Assert.True(spawn.Status == 400, spawn.Text);
            Assert.Equal("spawn.plugin_killed", spawn.Code);
        }
        finally
        {
            await ctxA.CloseAsync();
            await ctxB.CloseAsync();
            await b.DisposeAsync();
            await a.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
