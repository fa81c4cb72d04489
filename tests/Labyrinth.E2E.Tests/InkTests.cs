using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Ink as a person uses it (seed 002 §13.1): pen, eraser and undo, strokes kept over a reload, then
/// lasso → Convert to Math → a Math card beside the selection holding exactly those strokes.
/// </summary>
public sealed class InkTests(E2EEnvironment env)
{
    private const string MathPlugin = "dev.labyrinth.math";

    private static ILocator Tool(IPage page, string tool) => page.GetByTestId($"ink-tool-{tool}");

    /// <summary>Presses, moves in small steps and releases, like a hand with a mouse.</summary>
    private static async Task DrawAsync(IPage page, params (double X, double Y)[] path)
    {
        await page.Mouse.MoveAsync((float)path[0].X, (float)path[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in path.Skip(1))
        {
            await page.Mouse.MoveAsync((float)x, (float)y, new() { Steps = 6 });
        }

        await page.Mouse.UpAsync();
    }

    private static async Task<string[]> ServerStrokesAsync(IPage page, string boardId)
    {
        var r = await Ui.ApiAsync(page, "GET", $"/api/boards/{boardId}/strokes");
        Assert.Equal(200, r.Status);
        return r.Json!.Value.GetProperty("strokes").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray();
    }

    private static Task<string[]> StrokesReachAsync(IPage page, string boardId, int count, string what) =>
        Eventually.ReachAsync(() => ServerStrokesAsync(page, boardId), s => s.Length == count, what);

    [Fact(Timeout = 180_000)]
    public async Task Ink_PenEraserUndoReloadLasso_ConvertsToMath()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync("/");
            var boardId = await Ui.CreateBoardAsync(page);

            // Pick the pen: the toolbar shows it pressed.
            await Tool(page, "pen").ClickAsync();
            await Expect(Tool(page, "pen")).ToHaveAttributeAsync("aria-pressed", "true");

            // Three strokes close together (a small "x = 1") and one far away.
            await DrawAsync(page, (300, 300), (340, 350));
            await DrawAsync(page, (340, 300), (300, 350));
            await DrawAsync(page, (370, 318), (400, 318));
            await DrawAsync(page, (900, 600), (950, 640), (1000, 600));
            var four = await StrokesReachAsync(page, boardId, 4, "four strokes stored");
            await Ui.ScreenshotAsync(page, "ink-01-pen");
            // Default ink follows the theme: the same strokes on a dark board are light.
            await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
            await Ui.ScreenshotAsync(page, "ink-01b-pen-dark");
            await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

            // The eraser removes the far stroke whole; undo brings it back (on the server too).
            await page.Keyboard.PressAsync("e");
            await Expect(Tool(page, "eraser")).ToHaveAttributeAsync("aria-pressed", "true");
            await DrawAsync(page, (950, 590), (950, 660));
            var three = await StrokesReachAsync(page, boardId, 3, "the touched stroke erased");
            Assert.DoesNotContain(four[3], three);
            await page.Keyboard.PressAsync("Control+z");
            await StrokesReachAsync(page, boardId, 4, "undo restored the erased stroke");

            // Esc leaves the tool; a reload shows the same four strokes.
            await page.Keyboard.PressAsync("Escape");
            await Expect(Tool(page, "eraser")).ToHaveAttributeAsync("aria-pressed", "false");
            await page.ReloadAsync();
            await Expect(page.GetByTestId("ink-layer")).ToHaveAttributeAsync("data-strokes", "4");

            // Lasso the three close strokes: they are selected, with the actions beside them.
            await page.Keyboard.PressAsync("l");
            await DrawAsync(page, (280, 280), (430, 280), (430, 370), (280, 370), (281, 281));
            var actions = page.GetByTestId("ink-selection-actions");
            await Expect(actions).ToBeVisibleAsync();
            await Expect(actions).ToHaveAttributeAsync("data-count", "3");
            await Ui.ScreenshotAsync(page, "ink-02-lasso-selection");

            // Convert to Math: a Math card appears beside the selection and opens.
            var spawned = await page.RunAndWaitForResponseAsync(
                () => actions.GetByTestId("ink-convert-math").ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/windows", StringComparison.Ordinal),
                new() { Timeout = 10_000 });
            Assert.Equal(201, spawned.Status);
            using var doc = JsonDocument.Parse(await spawned.TextAsync());
            var window = doc.RootElement.GetProperty("window");
            Assert.Equal(MathPlugin, window.GetProperty("plugin").GetProperty("pluginId").GetString());
            var windowId = window.GetProperty("id").GetString()!;
            var win = Ui.Window(page, windowId);
            await Expect(win).ToBeVisibleAsync();
            await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");

            // The card holds exactly the three lassoed strokes, nothing else of the board.
            var selection = await Eventually.ReachAsync(
                () => Ui.ApiAsync(page, "GET", $"/api/cards/{boardId}/{windowId}/selection"),
                r => r.Status == 200,
                "the selection stored for the card");
            var strokes = selection.Json!.Value.GetProperty("strokes").EnumerateArray().ToArray();
            Assert.Equal(3, strokes.Length);
            foreach (var s in strokes)
            {
                Assert.Equal(["points", "color", "width"], s.EnumerateObject().Select(p => p.Name));
            }

            Assert.True(selection.Json!.Value.GetProperty("width").GetDouble() < 200, "the box is the three strokes', not the board's");

            // The permissions panel lists the shared selection with its preview; Revoke deletes it.
            await win.GetByTestId("btn-permissions").ClickAsync();
            var item = page.GetByTestId("permissions-panel").GetByTestId("permission-selection");
            await Expect(item).ToBeVisibleAsync();
            await Eventually.TrueAsync(async () => await item.Locator("img").EvaluateAsync<int>("img => img.naturalWidth") > 0, "the preview image loaded");
            await Ui.ScreenshotAsync(page, "ink-03-permissions-shared-selection");
            await item.GetByTestId("permission-selection-revoke").ClickAsync();
            await Expect(item).ToHaveCountAsync(0);
            Assert.Equal(404, (await Ui.ApiAsync(page, "GET", $"/api/cards/{boardId}/{windowId}/selection")).Status);
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
