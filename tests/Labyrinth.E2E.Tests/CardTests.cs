using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>Plugin cards open and close as seed 002 says: select, open, X, snapshot, cap of 10, state kept.</summary>
public sealed class CardTests(E2EEnvironment env)
{
    private const string Hello = "dev.labyrinth.hello";

    [Fact(Timeout = 90_000)]
    public async Task Card_ClosedWithX_ShowsSnapshotAndReopensWithState()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            var id = await Ui.WindowIdAsync(win);
            var count = win.FrameLocator("iframe").GetByTestId("count");
            await count.ClickAsync();
            await Expect(count).ToHaveTextAsync("Count: 1");

            await CardUi.CloseAsync(win);

            // The card stays on the board, closed, and its picture is the snapshot the host stored.
            var snapshot = win.GetByTestId("card-snapshot");
            await Expect(snapshot).ToBeVisibleAsync();
            await Expect(snapshot).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex($"/api/cards/{boardId}/{id}/snapshot"));
            await Eventually.TrueAsync(async () => await snapshot.EvaluateAsync<int>("img => img.naturalWidth") > 0, "snapshot image loaded");
            await Ui.WaitForBoardAsync(page, boardId, b => !CardUi.IsOpen(b, id), "card saved closed");
            await Ui.ScreenshotAsync(page, "card-01-closed-snapshot");

            // Clicking elsewhere never opens or closes anything; one click selects, the second opens.
            await page.GetByTestId("canvas").ClickAsync(new() { Position = new() { X = 900, Y = 600 } });
            await Expect(CardUi.Frame(win)).ToHaveCountAsync(0);
            await CardUi.Face(win).ClickAsync();
            await Expect(CardUi.Face(win)).ToHaveAttributeAsync("aria-pressed", "true");
            await Ui.ScreenshotAsync(page, "card-02-selected");
            await CardUi.Face(win).ClickAsync();
            await Expect(win.FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 1");
            await Ui.WaitForBoardAsync(page, boardId, b => CardUi.IsOpen(b, id), "card saved open");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task ClosedCard_Keyboard_OpensAndIsRemovedOnlyThroughRemove()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            await Expect(win.FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 0");
            await CardUi.CloseAsync(win);

            await CardUi.Face(win).FocusAsync();
            await Expect(CardUi.Face(win)).ToHaveAttributeAsync("aria-pressed", "true");
            await page.Keyboard.PressAsync("Enter");
            await Expect(CardUi.Frame(win)).ToHaveCountAsync(1);

            // Delete on a selected closed card asks first; Cancel keeps it.
            await CardUi.CloseAsync(win);
            await CardUi.Face(win).FocusAsync();
            await page.Keyboard.PressAsync("Delete");
            var dialog = page.Locator("dialog[open]");
            await Expect(dialog).ToContainTextAsync("Remove card?");
            await dialog.GetByTestId("confirm-cancel").ClickAsync();
            await Expect(win).ToBeVisibleAsync();

            await CardUi.RemoveAsync(page, win);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task OpenCards_EleventhOpened_RefusedWithToastNamingOpenCards()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            // Ten open cards side by side and an eleventh the server created closed (the cap holds on the server too).
            var ids = new List<string>();
            for (var i = 1; i <= 10; i++)
            {
                ids.Add(await CardUi.SpawnViaApiAsync(page, boardId, Hello, "hello", $"Hello {i}", ((i - 1) % 4) * 280 + 10, ((i - 1) / 4) * 190 + 10));
            }

            var eleventh = await CardUi.SpawnViaApiAsync(page, boardId, Hello, "hello", "Hello 11", 2 * 280 + 10, 2 * 190 + 10);
            Assert.False(CardUi.IsOpen(await Ui.GetBoardAsync(page, boardId), eleventh), "the server opened an 11th card");

            await page.ReloadAsync();
            await Expect(page.Locator("[data-testid=window] iframe")).ToHaveCountAsync(10, new() { Timeout = 30_000 });
            var win = Ui.Window(page, eleventh);
            await CardUi.Face(win).ClickAsync();
            await CardUi.Face(win).ClickAsync();

            var toast = page.GetByTestId("toast").Filter(new() { HasText = "At most 10 cards can be open at once" });
            await Expect(toast.First).ToContainTextAsync("Close one of: Hello 1");
            await Expect(toast.First).ToContainTextAsync("Hello 10");
            await Expect(CardUi.Frame(win)).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "card-03-eleventh-refused");

            // Closing one makes room.
            await CardUi.CloseAsync(Ui.Window(page, ids[0]));
            await CardUi.Face(win).ClickAsync();
            await Expect(CardUi.Frame(win)).ToHaveCountAsync(1);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 150_000)]
    public async Task CardStateAndOpenFlag_ReloadAndServerRestart_Survive()
    {
        var server = LabyrinthServer.StartNew();
        try
        {
            var context = await env.NewContextAsync(server);
            try
            {
                var page = await context.NewPageAsync();
                await Ui.CompleteSetupAsync(page, await server.SetupUrlAsync(), "keeper", "a long enough secret");
                var boardId = await Ui.CreateBoardAsync(page, "Keeps state");
                var open = await Ui.SpawnAsync(page, "hello");
                var openId = await Ui.WindowIdAsync(open);
                var count = open.FrameLocator("iframe").GetByTestId("count");
                await count.ClickAsync();
                await count.ClickAsync();
                await Expect(count).ToHaveTextAsync("Count: 2");
                var closed = await Ui.SpawnAsync(page, "hello");
                var closedId = await Ui.WindowIdAsync(closed);
                await CardUi.CloseAsync(closed);
                await Ui.WaitForBoardAsync(page, boardId, b => !CardUi.IsOpen(b, closedId) && CardUi.IsOpen(b, openId), "open flags saved");
                await Ui.WaitForPayloadAsync(page, boardId, openId, p => p.Contains("\"count\":2", StringComparison.Ordinal), "count 2 saved");

                await page.ReloadAsync();
                await Expect(Ui.Window(page, openId).FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 2");
                await Expect(CardUi.Face(Ui.Window(page, closedId))).ToBeVisibleAsync();

                server = await server.RestartAsync();
                await page.ReloadAsync();
                await Expect(Ui.Window(page, openId).FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 2");
                await Expect(CardUi.Face(Ui.Window(page, closedId))).ToBeVisibleAsync();
                await Expect(CardUi.Frame(Ui.Window(page, closedId))).ToHaveCountAsync(0);
            }
            finally
            {
                await context.CloseAsync();
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
