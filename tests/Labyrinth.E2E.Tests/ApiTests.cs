using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>Spawn validation, CSRF and concurrency as the browser sees them.</summary>
public sealed class ApiTests(E2EEnvironment env)
{
    [Fact(Timeout = 60_000)]
    public async Task Spawn_InvalidRequests_ProblemDetailsWithCodes()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var board = await Ui.GetBoardAsync(page, boardId);
            var v = Ui.Quote(board.GetProperty("version").GetInt64());
            var path = $"/api/boards/{boardId}/windows";

            async Task<ApiResult> Spawn(object body, string? ifMatch = "", bool csrf = true)
            {
                var r = await Ui.ApiAsync(page, "POST", path, body, ifMatch == "" ? v : ifMatch, csrf);
                return r;
            }

            var unknownKind = await Spawn(new { kind = "bogus" });
            AssertProblem(unknownKind, 400, "spawn.unknown_kind");

            var badProps = await Spawn(new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "hello", props = new { name = 42 } } });
            AssertProblem(badProps, 400, "spawn.invalid_props");
            Assert.True(badProps.Json!.Value.TryGetProperty("errors", out _), badProps.Text);

            var extraProps = await Spawn(new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "hello", props = new { nope = "x" } } });
            AssertProblem(extraProps, 400, "spawn.invalid_props");

            AssertProblem(await Spawn(new { kind = "plugin", plugin = new { pluginId = "dev.nobody.nothing", typeID = "x" } }), 400, "spawn.plugin_not_found");
            AssertProblem(await Spawn(new { kind = "plugin", plugin = new { pluginId = "dev.labyrinth.hello", typeID = "nope" } }), 400, "spawn.card_not_found");
            AssertProblem(await Spawn(new { kind = "form" }, csrf: false), 403, "csrf.missing_header");
            Assert.Equal(428, (await Spawn(new { kind = "form" }, ifMatch: null)).Status);
            AssertProblem(await Spawn(new { kind = "form" }, ifMatch: "\"999\""), 412, "board.version_conflict");

            // Nothing of the above created a window.
            var after = await Ui.GetBoardAsync(page, boardId);
            Assert.Equal(0, after.GetProperty("windows").GetArrayLength());
            Assert.Equal(board.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task SpawnMenu_ServerRefuses_ErrorToastAndNothingCreated()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            // The UI only offers valid spawns; make the request invalid on the wire.
            await page.RouteAsync("**/api/boards/*/windows", async route =>
            {
                if (route.Request.Method == "POST")
                {
                    await route.ContinueAsync(new() { PostData = System.Text.Encoding.UTF8.GetBytes("{\"kind\":\"bogus\"}") });
                }
                else
                {
                    await route.ContinueAsync();
                }
            });
            await page.GetByTestId("spawn-button").ClickAsync();
            await page.GetByTestId("spawn-item-form").ClickAsync();
            var toast = page.GetByTestId("toast");
            await Expect(toast).ToBeVisibleAsync();
            await Expect(toast).ToHaveAttributeAsync("data-kind", "error");
            await Ui.ScreenshotAsync(page, "api-01-invalid-spawn-toast");
            await Expect(page.GetByTestId("window")).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static void AssertProblem(ApiResult r, int status, string code)
    {
        Assert.True(r.Status == status && r.Code == code, $"expected {status} {code}, got {r.Status}: {r.Text}");
        var j = r.Json!.Value;
        Assert.Equal(JsonValueKind.Object, j.ValueKind);
        Assert.True(j.TryGetProperty("title", out _) && j.TryGetProperty("detail", out _), "not problem details: " + r.Text);
    }
}
