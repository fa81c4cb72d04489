using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>A board with every kind of window, arranged by hand, comes back whole after a reload.</summary>
public sealed class ShowcaseTests(E2EEnvironment env)
{
    [Fact(Timeout = 120_000)]
    public async Task A_board_with_every_window_kind_mounts_them_all_and_survives_reload()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page, "Team plan");

            // Arrange as a person would: spawn, then drag each window to its own place.
            var hello = await Ui.SpawnAsync(page, "hello");
            await Ui.DragTitleAsync(page, hello, -380, -120);
            var notes = await Ui.SpawnAsync(page, "note");
            await Ui.DragTitleAsync(page, notes, -20, -150);
            var chat = await Ui.SpawnAsync(page, "chat");
            await Ui.DragTitleAsync(page, chat, 380, -40);
            var form = await Ui.SpawnAsync(page, "form");
            await Ui.DragTitleAsync(page, form, -360, 180);
            var facts = await Ui.SpawnAsync(page, "metadata");
            await Ui.DragTitleAsync(page, facts, 20, 200);

            // The person arranged windows since spawning the cards: each card is entered (its
            // first press) before its controls are used.
            await CardUi.EnterAsync(hello);
            await hello.FrameLocator("iframe").GetByTestId("count").ClickAsync();
            await Expect(hello.FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 1");
            await CardUi.EnterAsync(notes);
            await notes.FrameLocator("iframe").Locator("textarea").FillAsync("Ship the canvas on Friday.");
            await chat.GetByTestId("chat-input").FillAsync("Who owns the demo?");
            await chat.GetByTestId("chat-input").PressAsync("Enter");
            await Expect(chat.GetByTestId("chat-message")).ToHaveCountAsync(1);
            await form.Locator("input[name=title]").FillAsync("Quarterly plan");
            await form.GetByTestId("form-save").ClickAsync();
            // Focusing the hello window makes the metadata window show its plugin facts.
            await hello.GetByTestId("window-titlebar").Locator(".title-text").ClickAsync();
            await Expect(facts.GetByTestId("meta-plugin-id")).ToContainTextAsync("dev.labyrinth.hello");
            await Expect(page.GetByTestId("save-state")).Not.ToContainTextAsync("Saving", new() { Timeout = 10_000 });
            // The notes card saves its text shortly after typing stops.
            await Ui.WaitForPayloadAsync(page, boardId, await Ui.WindowIdAsync(notes), p => p.Contains("Ship the canvas on Friday.", StringComparison.Ordinal), "the note's text");
            await Ui.ScreenshotAsync(page, "showcase-board");

            await page.ReloadAsync();
            await Expect(page.GetByTestId("window")).ToHaveCountAsync(5);
            foreach (var plugin in await page.GetByTestId("plugin-renderer").AllAsync())
            {
                await Expect(plugin).ToHaveAttributeAsync("data-status", "ready");
            }

            await Expect(hello.FrameLocator("iframe").GetByTestId("count")).ToHaveTextAsync("Count: 1");
            await Expect(notes.FrameLocator("iframe").Locator("textarea")).ToHaveValueAsync("Ship the canvas on Friday.");
            await Expect(chat.GetByTestId("chat-message")).ToContainTextAsync("Who owns the demo?");
            await Expect(form.Locator("input[name=title]")).ToHaveValueAsync("Quarterly plan");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
