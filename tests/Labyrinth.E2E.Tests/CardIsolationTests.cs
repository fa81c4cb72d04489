using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The card boundary as a person meets it: one plugin per process (a hung card stops nobody
/// else), keyboard focus that stays where they type, and closed cards that run nothing.
/// </summary>
public sealed partial class CardIsolationTests(E2EEnvironment env)
{
    [Fact(Timeout = 120_000)]
    public async Task SpinningCard_OtherPluginsCardOpen_KeepsRunning()
    {
        // A spinning frame process can wedge the browser's debugging session: a browser of its own.
        var browser = await env.LaunchAsync();
        var context = await env.NewContextAsync(env.Server, signedIn: true, browser);
        var page = await context.NewPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var spin = await Ui.SpawnAsync(page, "spin");
            // The watchdog saying "not responding" proves the spinner's process is stuck in its loop.
            await Expect(spin.GetByTestId("card-unresponsive")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            var timer = await Ui.SpawnAsync(page, "timer");
            await Expect(timer.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready", new() { Timeout = 2_000 });
            Assert.Matches(CardOrigin(), await CardUi.Frame(timer).GetAttributeAsync("src") ?? "");

            var card = timer.FrameLocator("iframe");
            await card.GetByTestId("timer-preset").First.ClickAsync(); // 1:00
            await card.GetByTestId("timer-start").ClickAsync();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await Eventually.TrueAsync(
                async () =>
                {
                    seen.Add(await card.GetByTestId("timer-digits").InnerTextAsync());
                    return seen.Count >= 4; // 1:00 and three ticks after it
                },
                "the timer card keeps ticking while the probe's card spins");

            // The host page answers too.
            await page.GetByTestId("spawn-button").ClickAsync();
            await Expect(page.GetByTestId("spawn-item-form")).ToBeVisibleAsync();
            await page.GetByTestId("spawn-button").ClickAsync();
            await Expect(page.GetByTestId("spawn-item-form")).ToHaveCountAsync(0);
        }
        finally
        {
            await Task.WhenAny(browser.CloseAsync(), Task.Delay(10_000, TestContext.Current.CancellationToken));
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task HungCard_NotRespondingFor10s_IsUnloadedAndItsProcessEnds()
    {
        // A spinning frame process can wedge the browser's debugging session: a browser of its own.
        var browser = await env.LaunchAsync();
        var context = await env.NewContextAsync(env.Server, signedIn: true, browser);
        var page = await context.NewPageAsync();
        var cdp = await browser.NewBrowserCDPSessionAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var spin = await Ui.SpawnAsync(page, "spin");
            await Expect(spin.GetByTestId("card-unresponsive")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            // The spinner's process is the renderer whose CPU time keeps climbing (a whole core).
            var first = await RenderersAsync(cdp);
            var spinner = await Eventually.ReachAsync(
                async () =>
                {
                    var now = await RenderersAsync(cdp);
                    return now.Where(p => first.TryGetValue(p.Key, out var t) && p.Value - t >= 1.0).Select(p => (int?)p.Key).FirstOrDefault();
                },
                pid => pid is not null,
                "a renderer process burning a core while the card spins");

            // Ten seconds of "Not responding" later the frame is unloaded and the card says so.
            var stopped = spin.GetByTestId("card-suspended");
            await Expect(stopped).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(stopped).ToHaveAttributeAsync("data-cause", "unresponsive");
            await Expect(stopped).ToContainTextAsync("Stopped: not responding");
            await Expect(spin.GetByTestId("card-reload")).ToBeVisibleAsync();
            await Expect(spin.Locator("iframe")).ToHaveCountAsync(0);
            Assert.Equal(1, await page.EvaluateAsync<int>("globalThis.labyrinthCardStats.unresponsiveStops"));

            // With the frame gone (and no frame waiting on that card origin) the browser ends the process.
            await Eventually.ReachAsync(
                () => RenderersAsync(cdp),
                now => !now.ContainsKey(spinner!.Value),
                $"renderer {spinner} gone once the spinning card was unloaded");
            await Ui.ScreenshotAsync(page, "isolation-06-stopped-not-responding");
        }
        finally
        {
            await Task.WhenAny(browser.CloseAsync(), Task.Delay(10_000, TestContext.Current.CancellationToken));
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task CardOpen_FromMenuOrBoard_StartsOnAWarmFrame()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            // Three plugins (three card origins) from the menu, as a person adds them.
            var cards = new List<ILocator>();
            foreach (var item in new[] { "hello", "timer", "note" })
            {
                var win = await Ui.SpawnAsync(page, item);
                await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
                cards.Add(win);
            }

            // Closed and opened again, each of them.
            foreach (var win in cards)
            {
                await CardUi.CloseAsync(win);
            }

            foreach (var win in cards)
            {
                await CardUi.SelectAndOpenAsync(win);
                await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            }

            // A second card of a type already on the board.
            var second = await Ui.SpawnAsync(page, "hello");
            await Expect(second.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");

            var stats = await page.EvaluateAsync<JsonElement>("globalThis.labyrinthCardStats");
            var warm = stats.GetProperty("warmOpens").GetInt32();
            var cold = stats.GetProperty("coldOpens").GetInt32();
            TestContext.Current.TestOutputHelper?.WriteLine($"card opens: {warm} warm, {cold} cold ({stats})");
            Assert.True(warm + cold == 7, $"seven opens counted: {stats}");
            Assert.True(warm >= 7 * 0.95, $"every open found a warm frame: {stats}");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Renderer processes of the browser, by id, with the CPU seconds each has used.</summary>
    private static async Task<Dictionary<int, double>> RenderersAsync(ICDPSession cdp)
    {
        var info = await cdp.SendAsync("SystemInfo.getProcessInfo");
        return info!.Value.GetProperty("processInfo").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() == "renderer")
            .ToDictionary(p => p.GetProperty("id").GetInt32(), p => p.GetProperty("cpuTime").GetDouble());
    }

    [Fact(Timeout = 90_000)]
    public async Task HostTyping_CardTriesToTakeFocus_LandsInHost()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            var thiefId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "focus", "Focus thief");
            await page.ReloadAsync(); // the thief is open but nobody entered it
            var thief = Ui.Window(page, thiefId);
            await Expect(thief.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            await Expect(thief.FrameLocator("iframe").GetByTestId("thief-status")).ToContainTextAsync("attempts");

            var input = Ui.Window(page, await Ui.WindowIdAsync(form)).Locator("input[name=title]");
            await input.ClickAsync();
            const string text = "every keystroke stays in the host input";
            await page.Keyboard.TypeAsync(text, new() { Delay = 15 });

            await Expect(input).ToHaveValueAsync(text);
            Assert.Equal("INPUT", await page.EvaluateAsync<string>("document.activeElement.tagName"));
            await Expect(thief.FrameLocator("iframe").GetByTestId("thief-status")).ToContainTextAsync("no focus");
            // The attempts were counted as focus_steal violations (reported like any other).
            var id = thiefId;
            await Eventually.TrueAsync(
                async () => (await Ui.ApiAsync(page, "GET", $"/api/admin/audit?plugin=dev.labyrinth.probe")).Text.Contains("focus_steal", StringComparison.Ordinal),
                $"a focus_steal violation of {id} in the audit log");
            await Ui.ScreenshotAsync(page, "isolation-02-focus-kept");

            // Clicking into the card enters it: then it may have the keyboard.
            await thief.GetByTestId("card-shield").ClickAsync();
            await Expect(thief.GetByTestId("card-shield")).ToHaveCountAsync(0);
            await Expect(thief.FrameLocator("iframe").GetByTestId("thief-status")).ToContainTextAsync("has focus");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task TabKey_CardNotEntered_StopsAtShieldAndEnterEnters()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var id = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.timer", "timer", "Timer", 40, 40);
            await page.ReloadAsync(); // open, and nobody entered it
            var win = Ui.Window(page, id);
            // At this size the timer shows Start and Reset (its presets need a larger card).
            var start = win.FrameLocator("iframe").GetByTestId("timer-start");
            await Expect(start).ToBeVisibleAsync();

            // The next stop after the card's title bar is its shield, not a control inside the frame.
            await win.GetByTestId("btn-close").FocusAsync();
            await page.Keyboard.PressAsync("Tab");
            var shield = win.GetByTestId("card-shield");
            await Expect(shield).ToBeFocusedAsync();
            // Reached by keyboard, the hint on show is "Enter to use": the name says what is seen.
            await Expect(shield).ToHaveAccessibleNameAsync("Enter to use Timer");
            await Expect(shield).ToHaveAccessibleDescriptionAsync(ShieldDescription());
            await Ui.ScreenshotAsync(page, "isolation-03-shield-focused");

            // Enter enters the card; Tab then walks its controls.
            await page.Keyboard.PressAsync("Enter");
            await Expect(shield).ToHaveCountAsync(0);
            await page.Keyboard.PressAsync("Tab");
            await Expect(start).ToBeFocusedAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task TabKey_PastEnteredCardsLastControl_LeavesAndCardCannotTakeFocusBack()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var thiefId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "focus", "Focus thief");
            await page.ReloadAsync();
            var thief = Ui.Window(page, thiefId);
            var status = thief.FrameLocator("iframe").GetByTestId("thief-status");
            await Expect(status).ToContainTextAsync("attempts");

            // Entered, the card may hold the keyboard (its input calls focus() every 5 ms).
            await CardUi.EnterAsync(thief);
            await Expect(CardUi.Frame(thief)).ToBeFocusedAsync();

            // Tab past its only control: the person left the card, and its shield is back.
            await page.Keyboard.PressAsync("Tab");
            await Expect(thief.GetByTestId("card-shield")).ToHaveCountAsync(1);
            await Expect(CardUi.Frame(thief)).Not.ToBeFocusedAsync();
            // Barrier: the card has tried to take focus a hundred more times since (every 5 ms).
            var after = Attempts(await status.InnerTextAsync());
            await Eventually.ReachAsync(
                async () => Attempts(await status.InnerTextAsync()),
                n => n >= after + 100,
                "a hundred more focus() calls by the card");
            // None of them pulled the keyboard back: what the person types stays in the host.
            Assert.NotEqual("IFRAME", await page.EvaluateAsync<string>("document.activeElement?.tagName ?? ''"));
            await page.Keyboard.TypeAsync("abc");
            await Expect(thief.FrameLocator("iframe").GetByTestId("thief-input")).ToHaveValueAsync("");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task FocusGuard_CardGoesAround_CaughtAndSuspended()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var board = await Ui.GetBoardAsync(page, boardId);
            var spawn = await Ui.ApiAsync(page, "POST", $"/api/boards/{boardId}/windows", new
            {
                kind = "plugin",
                title = "Bypassing thief",
                plugin = new { pluginId = "dev.labyrinth.probe", typeID = "focus", props = new { bypass = true } },
            }, Ui.Quote(board.GetProperty("version").GetInt64()));
            Assert.True(spawn.Status == 201, spawn.Text);
            var id = spawn.Json!.Value.GetProperty("window").GetProperty("id").GetString()!;
            await page.ReloadAsync();

            var thief = Ui.Window(page, id);
            await Expect(thief.GetByTestId("card-suspended-reason")).ToContainTextAsync("keyboard focus", new() { Timeout = 20_000 });
            Assert.NotEqual("IFRAME", await page.EvaluateAsync<string>("document.activeElement?.tagName ?? ''"));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task ClosedCards_UntilOpened_RunNoPluginCode()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var js = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "probe", "Probe", 40, 40);
            var html = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "html", "HTML probe", 360, 40);
            await page.ReloadAsync();
            foreach (var w in new[] { js, html })
            {
                await CardUi.CloseAsync(Ui.Window(page, w));
            }

            await Ui.WaitForBoardAsync(page, boardId, b => !CardUi.IsOpen(b, js) && !CardUi.IsOpen(b, html), "both cards saved as closed");
            await page.ReloadAsync();
            await Expect(CardUi.Face(Ui.Window(page, js))).ToBeVisibleAsync();
            // The board warms a frame for the JS card (its bootstrap runs, its entry is at most preloaded).
            await Eventually.TrueAsync(
                () => Task.FromResult(page.Frames.Any(f => f.Url.Contains("/cards/frame/dev.labyrinth.probe/1.0.0/probe", StringComparison.Ordinal))),
                "a pooled frame for the closed probe card");
            Assert.DoesNotContain(page.Frames, f => f.Url.Contains("probe.html", StringComparison.Ordinal));
            foreach (var frame in page.Frames.Where(f => f != page.MainFrame))
            {
                Assert.Null(await frame.EvaluateAsync<string?>("document.documentElement.dataset.pluginCodeRan ?? null"));
            }

            // Opening the card runs it.
            await CardUi.SelectAndOpenAsync(Ui.Window(page, js));
            await Expect(Ui.Window(page, js).FrameLocator("iframe").Locator("ul[data-testid=probes]")).ToBeAttachedAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task BoardReload_OpenCards_LoadEachFrameOnce()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var open = new Dictionary<string, string>
            {
                ["/cards/frame/dev.labyrinth.timer/1.0.0/timer"] = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.timer", "timer", "Timer", 20, 20),
                ["/cards/frame/dev.labyrinth.notes/1.0.0/note"] = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.notes", "note", "Note", 300, 20),
                ["/cards/frame/dev.labyrinth.hello/1.0.0/hello"] = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.hello", "hello", "Hello", 580, 20),
            };
            // A closed card: the board warms a frame for it a moment after loading. That frame's
            // request is the barrier: once it was sent, the board has done all its loading.
            const string closedFrame = "/cards/frame/dev.labyrinth.probe/1.0.0/probe";
            var closed = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "probe", "Probe", 20, 260);
            await page.ReloadAsync();
            await CardUi.CloseAsync(Ui.Window(page, closed));
            await Ui.WaitForBoardAsync(page, boardId, b => !CardUi.IsOpen(b, closed), "the probe card saved as closed");
            // The open cards finished loading before the reload under test: a frame still loading
            // then would be aborted by it and counted as a failed load of the next page.
            foreach (var id in open.Values)
            {
                await Expect(Ui.Window(page, id).GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            }

            // Every card frame document the page asks for, and those that did not finish.
            var requested = new ConcurrentQueue<string>();
            var failed = new ConcurrentQueue<string>();
            page.Request += (_, r) =>
            {
                if (r.IsNavigationRequest && r.Frame != page.MainFrame)
                {
                    requested.Enqueue(r.Url);
                }
            };
            page.RequestFailed += (_, r) =>
            {
                if (r.IsNavigationRequest && r.Frame != page.MainFrame)
                {
                    failed.Enqueue($"{r.Url} ({r.Failure})");
                }
            };

            await page.ReloadAsync();
            foreach (var id in open.Values)
            {
                await Expect(Ui.Window(page, id).GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            }

            // Frame documents live under this person's capability prefix (/cap/{token}/cards/frame/…).
            static bool Is(string url, string path) => new Uri(url).AbsolutePath.EndsWith(path, StringComparison.Ordinal) && new Uri(url).AbsolutePath.StartsWith("/cap/", StringComparison.Ordinal);
            await Eventually.TrueAsync(() => requested.Any(u => Is(u, closedFrame)), "the warm frame for the closed probe card");
            var seen = string.Join("\n", requested);
            foreach (var path in open.Keys)
            {
                Assert.True(requested.Count(u => Is(u, path)) == 1, $"{path} requested once; frame documents requested:\n{seen}");
            }

            Assert.True(failed.IsEmpty, "frame loads that did not finish:\n" + string.Join("\n", failed));
            await Ui.ScreenshotAsync(page, "isolation-04-three-plugins");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task AdminPluginsPage_OneSharedCardOrigin_Warns()
    {
        await using var server = LabyrinthServer.StartNew(new Dictionary<string, string>
        {
            ["Labyrinth:Cards:OriginTemplate"] = "http://cards.localhost:{port}",
        });
        var context = await env.NewContextAsync(server);
        try
        {
            var page = await context.NewPageAsync();
            await Ui.CompleteSetupAsync(page, await server.SetupUrlAsync(), E2EEnvironment.AdminUser, E2EEnvironment.AdminPassword);
            await page.GotoAsync("/admin/plugins");
            var warnings = page.GetByTestId("card-origin-warnings");
            // The warning names the origin the cards are on; the template is shown beside it.
            await Expect(warnings.Locator("[data-code='cards.isolation_off']")).ToContainTextAsync($"share one origin (http://cards.localhost:{server.Port})");
            await Expect(warnings).ToContainTextAsync("Card origin template: http://cards.localhost:{port}");
            await Ui.ScreenshotAsync(page, "isolation-05-admin-isolation-off");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static int Attempts(string status) =>
        int.Parse(AttemptsRegex().Match(status).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^([0-9]+) attempts")]
    private static partial Regex AttemptsRegex();

    [GeneratedRegex("first (click|press)", RegexOptions.IgnoreCase)]
    private static partial Regex ShieldDescription();

    [GeneratedRegex("^http://[a-z2-7]{20}\\.cards\\.localhost:[0-9]+/cap/[A-Za-z0-9_-]{44}/cards/frame/dev\\.labyrinth\\.timer/")]
    private static partial Regex CardOrigin();
}
