using System.Text.Json;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>What a person does with plugin cards: select, open, close with X, remove, permissions.</summary>
public static class CardUi
{
    public static ILocator Face(ILocator win) => win.GetByTestId("card-face");

    public static ILocator Frame(ILocator win) => win.Locator("iframe");

    /// <summary>
    /// Enters an open card as a person does before using it: a card that was not entered has a
    /// shield over its frame, and the first press on it only enters the card.
    /// </summary>
    /// <remarks>
    /// The person may already be back in the card without pressing: a dialog the card caused hands
    /// it back when it closes, a moment after the dialog is gone. So the shield can vanish between
    /// seeing it and pressing it; a press that finds no shield is not retried into the card.
    /// </remarks>
    public static async Task EnterAsync(ILocator win)
    {
        var shield = win.GetByTestId("card-shield");
        await Eventually.TrueAsync(
            async () =>
            {
                if (await shield.CountAsync() == 0)
                {
                    return true;
                }

                try
                {
                    await shield.ClickAsync(new() { Timeout = 2_000 });
                }
                catch (TimeoutException)
                {
                    // Gone (or covered) meanwhile: look again.
                }

                return await shield.CountAsync() == 0;
            },
            "the card is entered (no shield over it)");
    }

    /// <summary>Closes the live frame with the title-bar X and waits until the closed face shows.</summary>
    public static async Task CloseAsync(ILocator win)
    {
        await win.GetByTestId("btn-close").ClickAsync();
        await Expect(Face(win)).ToBeVisibleAsync();
        await Expect(Frame(win)).ToHaveCountAsync(0);
    }

    /// <summary>First click selects, second click opens (seed 002), then the live frame is back.</summary>
    public static async Task SelectAndOpenAsync(ILocator win)
    {
        var face = Face(win);
        await face.ClickAsync();
        await Expect(face).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(Frame(win)).ToHaveCountAsync(0);
        await face.ClickAsync();
        await Expect(Frame(win)).ToHaveCountAsync(1);
    }

    /// <summary>Removes the card through its card menu (⋯ → Remove from board…) and the confirm dialog.</summary>
    public static async Task RemoveAsync(IPage page, ILocator win, bool byKeyboard = false)
    {
        var menu = win.GetByTestId("card-menu");
        if (byKeyboard)
        {
            await menu.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            var item = page.GetByTestId("card-menu-remove");
            await Expect(item).ToBeVisibleAsync();
            // Arrow keys walk the menu; "Remove from board…" is its last item.
            await page.Keyboard.PressAsync("End");
            await Expect(item).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
        }
        else
        {
            await menu.ClickAsync();
            await page.GetByTestId("card-menu-remove").ClickAsync();
        }

        var dialog = page.Locator("dialog[open]");
        await Expect(dialog).ToContainTextAsync("Remove card?");
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Expect(win).ToHaveCountAsync(0);
    }

    /// <summary>Spawns a plugin card through the API (If-Match the current version) and returns its id.</summary>
    public static async Task<string> SpawnViaApiAsync(IPage page, string boardId, string pluginId, string typeID, string title, int? x = null, int? y = null)
    {
        var board = await Ui.GetBoardAsync(page, boardId);
        var r = await Ui.ApiAsync(page, "POST", $"/api/boards/{boardId}/windows", new
        {
            kind = "plugin",
            title,
            x,
            y,
            width = x is null ? (int?)null : 260,
            height = x is null ? (int?)null : 170,
            plugin = new { pluginId, typeID },
        }, Ui.Quote(board.GetProperty("version").GetInt64()));
        Assert.True(r.Status == 201, r.Text);
        return r.Json!.Value.GetProperty("window").GetProperty("id").GetString()!;
    }

    public static bool IsOpen(JsonElement board, string windowId) =>
        Ui.WindowDto(board, windowId).TryGetProperty("open", out var o) && o.GetBoolean();
}
