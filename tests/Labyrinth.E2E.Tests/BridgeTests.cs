using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The bridge protocol under attack, driven like a person: the probe plugin's attacker card has a
/// button per attack and a row showing what the host answered; the timer card keeps time.
/// </summary>
public sealed class BridgeTests(E2EEnvironment env)
{
    private static ILocator Row(ILocator win, string attack) =>
        win.FrameLocator("iframe").GetByTestId($"attack-{attack}");

    /// <summary>Clicks an attack's button and waits for its row to show the outcome.</summary>
    private static async Task<string> RunAsync(ILocator win, string attack)
    {
        var row = Row(win, attack);
        await CardUi.EnterAsync(win);
        await row.Locator("button").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 15_000 });
        return (await row.GetAttributeAsync("data-code"))!;
    }

    private static async Task AnswerConsentAsync(IPage page, bool allow)
    {
        var dialog = page.GetByTestId("card-consent");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId(allow ? "card-consent-allow" : "card-consent-deny").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 120_000)]
    public async Task AttackerCard_RequestsOutsideGrants_ErrorCodesAndNothingElse()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");
            await Expect(Row(win, "call")).ToBeVisibleAsync();

            Assert.Equal("topic_not_declared", await RunAsync(win, "subscribe-undeclared"));
            Assert.Equal("token_invalid", await RunAsync(win, "read-token"));
            // An API the card's manifest never requested: refused outright, no question to the person.
            Assert.Equal("api.not_granted", await RunAsync(win, "call"));
            await Expect(page.GetByTestId("card-consent")).ToHaveCountAsync(0);
            // Malformed requests are dropped and counted, never answered.
            Assert.Equal("no-response", await RunAsync(win, "malformed"));
            Assert.Equal("no-response", await RunAsync(win, "bad-id"));
            Assert.Equal("no-response", await RunAsync(win, "network-absolute"));

            // A declared topic without the grant: the host asks the person; the call itself stays refused.
            var subscribe = Row(win, "subscribe-declared");
            await CardUi.EnterAsync(win);
            await subscribe.Locator("button").ClickAsync();
            await AnswerConsentAsync(page, allow: false);
            await Expect(subscribe).ToHaveAttributeAsync("data-code", "not_granted");

            // Network without the grant, for a service this host has not set up (the shared host's
            // openai ships switched off and without a key): no "allow?" that could not work — the
            // host says so, and the card gets `not_configured`.
            var network = Row(win, "network");
            await CardUi.EnterAsync(win);
            await network.Locator("button").ClickAsync();
            var notice = page.GetByTestId("card-notice");
            await Expect(notice.GetByTestId("card-notice-message")).ToContainTextAsync("openai", new() { IgnoreCase = true });
            await Expect(page.GetByTestId("card-consent")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "bridge-01-network-not-set-up");
            await notice.GetByTestId("card-notice-close").ClickAsync();
            await Expect(network).ToHaveAttributeAsync("data-code", "not_configured");

            // Posting to the parent window is ignored: the card keeps running and nothing was saved.
            Assert.Equal("sent", await RunAsync(win, "parent-message"));
            Assert.Equal("sent", await RunAsync(win, "unknown-type"));
            Assert.Equal("api.not_granted", await RunAsync(win, "call"));
            var received = await win.FrameLocator("iframe").GetByTestId("probe-received").InnerTextAsync();
            Assert.DoesNotContain("forged", received, StringComparison.Ordinal);
            Assert.Contains("\"grantedCapabilities\":[]", received, StringComparison.Ordinal);
            await Ui.ScreenshotAsync(page, "bridge-02-attacker-rows");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task AttackerCard_Floods_SuspendedWithCountsUntilReload()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");
            await Expect(Row(win, "flood")).ToBeVisibleAsync();

            await CardUi.EnterAsync(win);
            await Row(win, "flood").Locator("button").ClickAsync();

            var reason = win.GetByTestId("card-suspended-reason");
            await Expect(reason).ToContainTextAsync("too many invalid messages", new() { Timeout = 15_000 });
            await Expect(reason).ToContainTextAsync("flood ×");
            await Expect(win.Locator("iframe")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "bridge-03-suspended");

            await win.GetByTestId("card-reload").ClickAsync();
            await Expect(Row(win, "flood")).ToBeVisibleAsync();
            await Expect(reason).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task CrossCardEvents_BothCardsGranted_ArriveOnlyThen()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var listenerId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "attacker", "Listener", 10, 10);
            var senderId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "attacker", "Sender", 300, 10);
            await page.ReloadAsync();
            var listener = Ui.Window(page, listenerId);
            var sender = Ui.Window(page, senderId);
            await Expect(Row(listener, "subscribe-declared")).ToBeVisibleAsync();
            await Expect(Row(sender, "publish-declared")).ToBeVisibleAsync();
            var log = listener.FrameLocator("iframe").GetByTestId("probe-received");

            // The listener asks; the person allows; its retry is accepted.
            var subscribe = Row(listener, "subscribe-declared");
            await CardUi.EnterAsync(listener);
            await subscribe.Locator("button").ClickAsync();
            await AnswerConsentAsync(page, allow: true);
            await Expect(subscribe).ToHaveAttributeAsync("data-code", "not_granted");
            await Expect(log).ToContainTextAsync("\"grantsChanged\"");
            Assert.Equal("ok", await RunAsync(listener, "subscribe-declared"));

            // The sender has no grant yet: its publish is dropped (and the person is asked).
            await CardUi.EnterAsync(sender);
            await Row(sender, "publish-declared").Locator("button").ClickAsync();
            await AnswerConsentAsync(page, allow: true);
            await Expect(sender.FrameLocator("iframe").GetByTestId("probe-received")).ToContainTextAsync("\"grantsChanged\"");
            Assert.DoesNotContain("probe:attack:ping", await log.InnerTextAsync(), StringComparison.Ordinal);

            // Both granted: the event arrives, carrying the sender's typeID and nothing else about it.
            Assert.Equal("sent", await RunAsync(sender, "publish-declared"));
            await Expect(log).ToContainTextAsync("\"topic\":\"probe:attack:ping\"");
            var text = await log.InnerTextAsync();
            Assert.Contains("\"from\":{\"pluginId\":\"dev.labyrinth.probe\",\"typeID\":\"attacker\"}", text, StringComparison.Ordinal);
            Assert.DoesNotContain(senderId, text, StringComparison.Ordinal);
            // An undeclared topic never arrives, even with both grants.
            // Barrier: a declared publish sent after it arrives, and one port delivers in order.
            Assert.Equal("sent", await RunAsync(sender, "publish-undeclared"));
            Assert.Equal("sent", await RunAsync(sender, "publish-declared"));
            await Expect(log).ToContainTextAsync(new System.Text.RegularExpressions.Regex("probe:attack:ping[\\s\\S]*probe:attack:ping"));
            Assert.DoesNotContain("timer:countdown:finished", await log.InnerTextAsync(), StringComparison.Ordinal);
            await Ui.ScreenshotAsync(page, "bridge-04-cross-card");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task TimerCard_Reload_KeepsCountingDown()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "timer");
            var id = await Ui.WindowIdAsync(win);
            var card = win.FrameLocator("iframe");
            await card.GetByTestId("timer-preset").First.ClickAsync(); // 1:00
            await Expect(card.GetByTestId("timer-digits")).ToHaveTextAsync("1:00");
            await card.GetByTestId("timer-start").ClickAsync();
            await Expect(card.GetByTestId("timer-pause")).ToBeVisibleAsync();
            await Expect(card.GetByTestId("timer-digits")).Not.ToHaveTextAsync("1:00", new() { Timeout = 5_000 });
            await Ui.ScreenshotAsync(page, "bridge-05-timer-running");
            await Ui.WaitForPayloadAsync(page, boardId, id, p => !p.Contains("\"runningSince\":null", StringComparison.Ordinal) && p.Contains("runningSince", StringComparison.Ordinal), "the running timer");

            await page.ReloadAsync();
            var again = Ui.Window(page, id).FrameLocator("iframe");
            await Expect(again.GetByTestId("timer")).ToHaveAttributeAsync("data-running", "true");
            // Still counting from where it was (derived from the clock), not restarted at 1:00.
            await Expect(again.GetByTestId("timer-digits")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0:[0-5][0-9]$"));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
