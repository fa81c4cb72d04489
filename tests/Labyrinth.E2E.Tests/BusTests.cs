using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The workspace bus across tabs, driven like a person: the probe plugin's bus card has buttons
/// (Listen, Answer requests, Send, Ask, History) and shows what arrived. Two pages of one browser
/// context are two tabs of one person; another context signed in as someone else is their tab.
/// </summary>
public sealed class BusTests(E2EEnvironment env)
{
    private const string MemberPassword = "a long enough secret";

    private static IFrameLocator Card(ILocator win) => win.FrameLocator("iframe");

    /// <summary>A new board in <paramref name="page"/> with one open bus card, which the person lets exchange messages.</summary>
    private static async Task<ILocator> BusCardAsync(IPage page, string title)
    {
        var boardId = await Ui.CreateBoardAsync(page);
        var windowId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.probe", "bus", title);
        await page.ReloadAsync();
        var win = Ui.Window(page, windowId);
        await Expect(Card(win).GetByTestId("bus-listen")).ToBeVisibleAsync();
        // Opened by the reload, nobody entered it yet: the person enters it before using it.
        await CardUi.EnterAsync(win);
        return win;
    }

    /// <summary>Presses Ask until the answer carries <paramref name="code"/>, failing with the last answer seen.</summary>
    private static Task<string?> AskUntilAsync(ILocator asker, string code)
    {
        var answer = Card(asker).GetByTestId("bus-answer");
        return Eventually.ReachAsync(
            async () =>
            {
                await Card(asker).GetByTestId("bus-ask").ClickAsync();
                // The press marks the answer running; wait for this press's outcome, not the last one's.
                await Expect(answer).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 10_000 });
                return await answer.GetAttributeAsync("data-code");
            },
            c => c == code,
            $"an answer with code {code}",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Clicks <paramref name="button"/>; the first time the card is refused and the host asks for
    /// consent; the person allows, the card learns its grant, and the person clicks again.
    /// </summary>
    private static async Task ClickAllowingAsync(IPage page, ILocator win, string button, string state)
    {
        var status = Card(win).GetByTestId("bus-status");
        await Expect(status).ToHaveAttributeAsync("data-granted", "false");
        await Card(win).GetByTestId(button).ClickAsync();
        var dialog = page.GetByTestId("card-consent");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(status).ToHaveAttributeAsync("data-error", $"{button}:not_granted");
        await dialog.GetByTestId("card-consent-allow").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(status).ToHaveAttributeAsync("data-granted", "true");
        // The question the card caused hands the card back a moment after it closes; until then a
        // press would only enter the card again (the shield), so the person sees it back first.
        await Expect(win.GetByTestId("card-shield")).ToHaveCountAsync(0);
        await Card(win).GetByTestId(button).ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-state", new System.Text.RegularExpressions.Regex(state));
    }

    private static async Task SendAsync(ILocator win, string text)
    {
        await Card(win).GetByTestId("bus-text").FillAsync(text);
        await Card(win).GetByTestId("bus-send").ClickAsync();
    }

    private static async Task<IPage> MemberTabAsync(IBrowserContext context, string name)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        // The second tab shares the first one's cookie: wait until the page has decided which it shows.
        var signIn = page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" });
        await Expect(signIn.Or(page.GetByTestId("user-menu"))).ToBeVisibleAsync();
        if (await signIn.CountAsync() > 0)
        {
            await Ui.LoginAsync(page, name, MemberPassword);
        }

        await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
        return page;
    }

    [Fact(Timeout = 240_000)]
    public async Task Bus_TwoTabsOfOnePerson_SharedAndAnotherPersonSeesNothing()
    {
        var (context, tab1) = await env.AdminPageAsync();
        IBrowserContext? other = null;
        try
        {
            var tab2 = await context.NewPageAsync();
            var sender = await BusCardAsync(tab1, "Sender");
            var member = "bus" + Guid.NewGuid().ToString("N")[..10];
            Assert.Equal(201, (await Ui.ApiAsync(tab1, "POST", "/api/admin/users", new { userName = member, password = MemberPassword, role = "member" })).Status);
            var listener = await BusCardAsync(tab2, "Listener");
            await ClickAllowingAsync(tab1, sender, "bus-listen", "listening");
            await ClickAllowingAsync(tab2, listener, "bus-listen", "listening");

            // Someone else, in two tabs of their own, listening to the same topic.
            other = await env.NewContextAsync(env.Server);
            var otherTab1 = await MemberTabAsync(other, member);
            var otherTab2 = await MemberTabAsync(other, member);
            var stranger = await BusCardAsync(otherTab1, "Stranger");
            var strangersOther = await BusCardAsync(otherTab2, "Stranger's other card");
            await ClickAllowingAsync(otherTab1, stranger, "bus-listen", "listening");
            await ClickAllowingAsync(otherTab2, strangersOther, "bus-listen", "listening");

            await SendAsync(sender, "hello from tab 1");

            var got = Card(listener).GetByTestId("bus-event");
            await Expect(got).ToHaveCountAsync(1);
            await Expect(got).ToHaveAttributeAsync("data-text", "hello from tab 1");
            await Expect(got).ToHaveAttributeAsync("data-from-plugin", "dev.labyrinth.probe");
            await Expect(got).ToHaveAttributeAsync("data-from-type", "bus");
            // The sender's own card never hears itself.
            await Expect(Card(sender).GetByTestId("bus-event")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(tab2, "bus-01-other-tab-received");

            // Barrier: the other person's own message, sent after ours, reaches their tab; ours never did.
            await SendAsync(strangersOther, "their own");
            var theirs = Card(stranger).GetByTestId("bus-event");
            await Expect(theirs).ToHaveCountAsync(1);
            await Expect(theirs).ToHaveAttributeAsync("data-text", "their own");

            // History: what the bus kept for this person, not the other one's.
            await Card(listener).GetByTestId("bus-read-history").ClickAsync();
            await Expect(Card(listener).GetByTestId("bus-history")).ToHaveAttributeAsync("data-count", "1");
        }
        finally
        {
            if (other is not null)
            {
                await other.CloseAsync();
            }

            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task BusRequest_ResponderInOtherTab_AnsweredAndFailsWhenNoneAnswers()
    {
        var (context, tab1) = await env.AdminPageAsync();
        try
        {
            var tab2 = await context.NewPageAsync();
            var asker = await BusCardAsync(tab1, "Asker");
            var answerer = await BusCardAsync(tab2, "Answerer");
            var answer = Card(asker).GetByTestId("bus-answer");

            // Nobody answers yet: the request fails with its error, as the card shows.
            await ClickAllowingAsync(tab1, asker, "bus-listen", "listening");
            await Card(asker).GetByTestId("bus-ask").ClickAsync();
            await Expect(answer).ToHaveAttributeAsync("data-code", "bus.no_responder");

            // A card in the other tab starts answering; the same question now gets its answer.
            await ClickAllowingAsync(tab2, answerer, "bus-respond", "answering");
            // The other tab's responder reaches this tab through the server a moment after its card
            // says "answering": a person asks again until it answers.
            await AskUntilAsync(asker, "ok");
            await Expect(answer).ToHaveTextAsync("42");
            await Ui.ScreenshotAsync(tab1, "bus-02-answered-from-other-tab");

            // The answering tab closes: nobody answers again.
            await tab2.CloseAsync();
            await AskUntilAsync(asker, "bus.no_responder");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
