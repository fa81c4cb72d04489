using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>Untrusted cards in their sandboxed frames: escapes, hangs, crashes, plain HTML.</summary>
public sealed class SandboxTests(E2EEnvironment env)
{
    [Fact(Timeout = 90_000)]
    public async Task ProbeCard_TriesEveryEscape_EscapesNothing()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var hostUrl = page.Url;
            var win = await Ui.SpawnAsync(page, "probe");
            var frame = win.FrameLocator("iframe");
            var list = frame.Locator("ul[data-testid=probes]");
            await Expect(list).ToHaveAttributeAsync("data-done", "true", new() { Timeout = 20_000 });

            var probes = frame.Locator("li[data-probe]");
            var count = await probes.CountAsync();
            Assert.True(count >= 15, $"only {count} probes reported");
            var escaped = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var li = probes.Nth(i);
                if (await li.GetAttributeAsync("data-escaped") != "false")
                {
                    escaped.Add(await li.InnerTextAsync());
                }
            }

            await Ui.ScreenshotAsync(page, "sandbox-01-probe");
            Assert.True(escaped.Count == 0, "escaped the sandbox:\n" + string.Join("\n", escaped));

            // The host page is where it was, and nothing the card did reached the host's cookies.
            Assert.Equal(hostUrl, page.Url);
            Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
            var cookies = await context.CookiesAsync();
            Assert.DoesNotContain(cookies, c => c.Name.Contains("probe", StringComparison.OrdinalIgnoreCase));
            var auth = Assert.Single(cookies, c => c.Name == "labyrinth.auth");
            Assert.True(auth.HttpOnly, "the auth cookie must be HttpOnly");

            // Everything the host sent over the port is visible to the card; no secret may be in it.
            var received = await frame.Locator("pre[data-testid=received]").InnerTextAsync();
            Assert.Contains("\"init\"", received, StringComparison.Ordinal);
            Assert.DoesNotContain(auth.Value, received, StringComparison.Ordinal);
            Assert.DoesNotContain(E2EEnvironment.AdminPassword, received, StringComparison.Ordinal);
            // And the window is still signed in (the form-submit-top probe targets /api/auth/logout).
            Assert.Equal(200, (await Ui.ApiAsync(page, "GET", "/api/auth/me")).Status);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task SpinningCard_Loops_HostStaysResponsive()
    {
        // A spinning frame process can wedge the browser's debugging session; keep it away from the other tests.
        var browser = await env.LaunchAsync();
        var context = await env.NewContextAsync(env.Server, signedIn: true, browser);
        var page = await context.NewPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            var spin = await Ui.SpawnAsync(page, "spin");
            // Never look inside the spinning frame: a Playwright evaluation there never returns.
            await Expect(spin.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            await Expect(spin).ToHaveAttributeAsync("data-focused", "true");
            // The watchdog notices (no pong for 5 s): from here on the card is certainly spinning.
            await Expect(spin.GetByTestId("card-unresponsive")).ToBeVisibleAsync();

            // The host keeps answering: the spawn menu opens and closes, another window takes focus.
            await page.GetByTestId("spawn-button").ClickAsync();
            await Expect(page.GetByTestId("spawn-item-form")).ToBeVisibleAsync();
            await page.GetByTestId("spawn-button").ClickAsync();
            await Expect(page.GetByTestId("spawn-item-form")).ToHaveCountAsync(0);

            await form.GetByTestId("window-titlebar").Locator(".title-text").ClickAsync();
            await Expect(form).ToHaveAttributeAsync("data-focused", "true");
            await Expect(spin).ToHaveAttributeAsync("data-focused", "false");
            await form.Locator("input[name=title]").FillAsync("still typing");
            await Expect(form.Locator("input[name=title]")).ToHaveValueAsync("still typing");

            // No screenshot here: headless Chromium's capture waits for every frame's compositor
            // output, and a hung frame never produces one (input and rAF in the host keep running;
            // measured). A timed-out capture leaves the DevTools session stuck for what follows.

            // The form now sits on top of the spinning window's title bar, so remove it the way a
            // keyboard user would: focus its remove button, press Enter, confirm. (X on a card only
            // closes its live frame; removing is the separate, confirmed action.)
            await CardUi.RemoveAsync(page, spin, byKeyboard: true);
            await Expect(form).ToBeVisibleAsync();
            await Ui.SpawnAsync(page, "chat");
        }
        finally
        {
            await Task.WhenAny(browser.CloseAsync(), Task.Delay(10_000, TestContext.Current.CancellationToken));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Card_ThrowsOnMount_ErrorShownInItsWindow()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "broken");
            var error = win.GetByTestId("card-error");
            await Expect(error).ToBeVisibleAsync();
            await Expect(error).ToContainTextAsync("boom on purpose");
            await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "error");
            await Ui.ScreenshotAsync(page, "sandbox-03-broken");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task PlainHtmlCard_Mounted_ShowsPropsAndSavesPayload()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "html");
            var frame = win.FrameLocator("iframe");
            await Expect(frame.GetByTestId("props")).ToHaveTextAsync("{}");

            await frame.GetByTestId("save").ClickAsync();
            await Expect(frame.GetByTestId("status")).ToHaveTextAsync("saved 1");
            var id = await Ui.WindowIdAsync(win);
            await Ui.WaitForPayloadAsync(page, boardId, id, p => p.Contains("\"clicks\":1", StringComparison.Ordinal), "the HTML card's click");

            // A card spawned with props shows them (spawned through the API, then the page reloads).
            var board = await Ui.GetBoardAsync(page, boardId);
            var spawn = await Ui.ApiAsync(page, "POST", $"/api/boards/{boardId}/windows", new
            {
                kind = "plugin",
                title = "HTML with props",
                plugin = new { pluginId = "dev.labyrinth.probe", typeID = "html", props = new { greeting = "hi from e2e" } },
            }, Ui.Quote(board.GetProperty("version").GetInt64()));
            Assert.True(spawn.Status == 201, spawn.Text);
            var withProps = spawn.Json!.Value.GetProperty("window").GetProperty("id").GetString()!;
            await page.ReloadAsync();
            await Expect(Ui.Window(page, withProps).FrameLocator("iframe").GetByTestId("props")).ToContainTextAsync("hi from e2e");
            await Ui.ScreenshotAsync(page, "sandbox-04-html");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
