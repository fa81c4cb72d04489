using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>Windows on a board, as a person uses them: spawn, click, drag, resize, reload.</summary>
public sealed class BoardTests(E2EEnvironment env)
{
    [Fact(Timeout = 90_000)]
    public async Task HelloCard_Reload_KeepsGeometryAndCount()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            var id = await Ui.WindowIdAsync(win);
            Assert.Equal("plugin", await win.GetAttributeAsync("data-kind"));

            var count = win.FrameLocator("iframe[title*='Hello']").GetByTestId("count");
            await Expect(count).ToHaveTextAsync("Count: 0");
            await count.ClickAsync();
            await Expect(count).ToHaveTextAsync("Count: 1");
            await count.ClickAsync();
            await Expect(count).ToHaveTextAsync("Count: 2");

            var before = await Ui.ScreenBoxAsync(win);
            await Ui.DragTitleAsync(page, win, 120, 70);
            var moved = await Ui.ScreenBoxAsync(win);
            new Box(before.X + 120, before.Y + 70, before.Width, before.Height).ShouldEqual(moved, 1.5);

            await Ui.ResizeAsync(page, win, "se", 90, 60);
            var resized = await Ui.ScreenBoxAsync(win);
            new Box(moved.X, moved.Y, moved.Width + 90, moved.Height + 60).ShouldEqual(resized, 1.5);
            await Ui.ScreenshotAsync(page, "board-01-hello-moved-resized");

            // Wait until the server holds what the person sees (layout and payload are saved debounced).
            var world = await Ui.StyleBoxAsync(win);
            await Ui.WaitForBoardAsync(page, boardId, b => Near(Ui.WorldBox(Ui.WindowDto(b, id)), world), "layout saved");
            await Ui.WaitForPayloadAsync(page, boardId, id, p => p.Contains("\"count\":2", StringComparison.Ordinal), "count 2");

            await page.ReloadAsync();
            var again = Ui.Window(page, id);
            await Expect(again).ToBeVisibleAsync();
            await Expect(again.FrameLocator("iframe[title*='Hello']").GetByTestId("count")).ToHaveTextAsync("Count: 2");
            (await Ui.ScreenBoxAsync(again)).ShouldEqual(resized, 1);
            await Ui.ScreenshotAsync(page, "board-02-hello-after-reload");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Windows_PannedOffScreenAndBack_BuiltInSkippedWhileAwayAndLiveCardKeepsItsFrameAndState()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            var win = await Ui.SpawnAsync(page, "hello");
            var frame = win.Locator("iframe[title*='Hello']");
            var count = win.FrameLocator("iframe[title*='Hello']").GetByTestId("count");
            await count.ClickAsync();
            await count.ClickAsync();
            await Expect(count).ToHaveTextAsync("Count: 2");
            // A mark on this frame element: a frame re-created (or a card remounted) would not carry it.
            await frame.EvaluateAsync("f => { f.dataset.e2eMark = 'kept'; }");

            // Pan with the keyboard, as a person would, until the browser stops rendering the form's
            // body (checkVisibility with contentVisibilityAuto is false inside a skipped subtree).
            var formContent = form.Locator(":scope > .body > *").First;
            const string skipped = "e => !e.checkVisibility({ contentVisibilityAuto: true })";
            var canvas = page.GetByTestId("canvas");
            await canvas.FocusAsync();
            var presses = 0;
            await Eventually.TrueAsync(async () =>
            {
                if (await formContent.EvaluateAsync<bool>(skipped)) return true;
                await canvas.PressAsync("Shift+ArrowRight");
                presses++;
                return false;
            }, "the form's body is skipped once panned far off-screen", TimeSpan.FromSeconds(30));
            // Shift+ArrowRight moves the view right: the board, and both windows on it, slide off to the left.
            foreach (var w in new[] { form, win })
            {
                var box = await Ui.ScreenBoxAsync(w);
                Assert.True(box.X + box.Width < 0, $"the window is off-screen (at x={box.X}, {presses} presses)");
            }
            Assert.Equal("kept", await frame.GetAttributeAsync("data-e2e-mark"));
            // Off screen, the form is not drawn at all; the card with a live frame always is.
            await Expect(form).ToHaveAttributeAsync("data-detail", "culled");
            await Expect(win).ToHaveAttributeAsync("data-detail", "full");

            for (var i = 0; i < presses; i++) await canvas.PressAsync("Shift+ArrowLeft");
            await Expect(win).ToBeInViewportAsync();
            await Expect(form).ToBeInViewportAsync();
            Assert.False(await formContent.EvaluateAsync<bool>(skipped), "the form's body renders again in view");
            Assert.Equal("kept", await frame.GetAttributeAsync("data-e2e-mark"));
            await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            await Expect(count).ToHaveTextAsync("Count: 2");
            // Focusing the canvas left the card: the first press enters it again, the next one counts.
            await win.GetByTestId("card-shield").ClickAsync();
            await count.ClickAsync();
            await Expect(count).ToHaveTextAsync("Count: 3");
            await Ui.ScreenshotAsync(page, "board-07-windows-back-from-off-screen");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Window_OffScreenReachedWithTab_DrawnPannedIntoViewWithItsTitleFocused()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            // The focused window is always drawn (it may be typed into while panned away): focus another.
            await Ui.SpawnAsync(page, "chat");
            var canvas = page.GetByTestId("canvas");
            await canvas.FocusAsync();
            // Pan until the board no longer draws the form (it is off screen, past the margin).
            await Eventually.TrueAsync(async () =>
            {
                if (await form.GetAttributeAsync("data-detail") == "culled") return true;
                await canvas.PressAsync("Shift+ArrowRight");
                return false;
            }, "the form is culled once panned far off-screen", TimeSpan.FromSeconds(30));
            Assert.True((await Ui.ScreenBoxAsync(form)).X < 0, "the form is off to the left");

            // The next tab stop after the canvas is the form: the board pans to it, draws it, and
            // its title has focus (arrow keys now move it), without the browser scrolling the canvas.
            await page.Keyboard.PressAsync("Tab");
            await Expect(form.Locator(".titlebar .title")).ToBeFocusedAsync();
            await Expect(form).ToHaveAttributeAsync("data-detail", "full");
            await Expect(form).ToBeInViewportAsync(new() { Ratio = 1 });
            Assert.Equal(0, await canvas.EvaluateAsync<double>("c => c.scrollLeft + c.scrollTop"));
            await Ui.ScreenshotAsync(page, "board-09-off-screen-window-reached-with-tab");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Window_NotFocused_ResizesFromEveryEdgeAndCornerByMouse()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "form");
            // A second window has the focus: the first one's edges show only under the pointer.
            var other = await Ui.SpawnAsync(page, "chat");
            // Beside it, clear of every edge it grows by (a window on top would take the press).
            var (w0, o0) = (await Ui.ScreenBoxAsync(win), await Ui.ScreenBoxAsync(other));
            await Ui.DragTitleAsync(page, other, w0.X + w0.Width + 80 - o0.X, w0.Y - o0.Y);
            await Expect(win).ToHaveAttributeAsync("data-focused", "false");
            await Expect(win.GetByTestId("resize-w")).ToBeHiddenAsync();

            // Each edge and corner, outward by (dx, dy): the window grows by the same on that side.
            (string Dir, double Dx, double Dy, double Left, double Top, double Right, double Bottom)[] steps =
            [
                ("w", -30, 0, -30, 0, 0, 0),
                ("n", 0, -20, 0, -20, 0, 0),
                ("e", 25, 0, 0, 0, 25, 0),
                ("s", 0, 15, 0, 0, 0, 15),
                ("nw", -10, -10, -10, -10, 0, 0),
                ("ne", 10, -10, 0, -10, 10, 0),
                ("sw", -10, 10, -10, 0, 0, 10),
                ("se", 10, 10, 0, 0, 10, 10),
            ];
            foreach (var (dir, dx, dy, left, top, right, bottom) in steps)
            {
                var b = await Ui.ScreenBoxAsync(win);
                await Ui.ResizeAsync(page, win, dir, dx, dy);
                var expected = new Box(b.X + left, b.Y + top, b.Width - left + right, b.Height - top + bottom);
                expected.ShouldEqual(await Ui.ScreenBoxAsync(win), 1.5);
                // Back to the other window, so the next edge starts unfocused again.
                await other.GetByTestId("window-titlebar").Locator(".title-text").ClickAsync();
                await Expect(win).ToHaveAttributeAsync("data-focused", "false");
            }

            await Ui.ScreenshotAsync(page, "board-08-resized-from-every-edge");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task FormWindow_Close_AsksOnlyWhenDirty()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            await form.Locator("input[name=title]").FillAsync("Quarterly plan");
            await Expect(form.GetByTestId("form-state")).ToHaveTextAsync("Unsaved changes");

            await form.GetByTestId("btn-close").ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Discard changes?" });
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog).ToContainTextAsync("unsaved changes");
            await Ui.ScreenshotAsync(page, "board-03-form-confirm-close");
            await dialog.GetByTestId("confirm-cancel").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await Expect(form).ToBeVisibleAsync();
            await Expect(form.Locator("input[name=title]")).ToHaveValueAsync("Quarterly plan");

            await form.GetByTestId("form-save").ClickAsync();
            await Expect(form.GetByTestId("form-state")).ToHaveTextAsync("Saved");
            await form.GetByTestId("btn-close").ClickAsync();
            await Expect(form).ToHaveCountAsync(0);
            await Expect(dialog).ToBeHiddenAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Window_MinimizeAndMaximize_RestoresEachTime()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "chat");
            var id = await Ui.WindowIdAsync(win);
            var original = await Ui.ScreenBoxAsync(win);

            await win.GetByTestId("btn-minimize").ClickAsync();
            await Expect(win).ToBeHiddenAsync();
            var trayItem = page.Locator($"[data-testid=tray-item][data-window-id='{id}']");
            await Expect(trayItem).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "board-04-minimized-tray");
            await trayItem.ClickAsync();
            await Expect(win).ToBeVisibleAsync();
            await Expect(page.GetByTestId("tray-item")).ToHaveCountAsync(0);
            (await Ui.ScreenBoxAsync(win)).ShouldEqual(original);

            await win.GetByTestId("btn-maximize").ClickAsync();
            await Expect(win.GetByTestId("btn-maximize")).ToHaveAttributeAsync("aria-label", "Restore");
            var stage = await Ui.ScreenBoxAsync(page.Locator("main.stage"));
            var max = await Ui.ScreenBoxAsync(win);
            Assert.True(max.Width >= stage.Width - 2 && max.Height >= stage.Height - 2, $"maximized {max} does not fill the stage {stage}");
            await Expect(win.GetByTestId("resize-se")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "board-05-maximized");

            await win.GetByTestId("btn-maximize").ClickAsync();
            await Expect(win.GetByTestId("btn-maximize")).ToHaveAttributeAsync("aria-label", "Maximize");
            (await Ui.ScreenBoxAsync(win)).ShouldEqual(original);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Layout_StaleWriteFromSecondBrowser_RefusedAndThatBrowserReloads()
    {
        var (contextA, pageA) = await env.AdminPageAsync();
        var (contextB, pageB) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(pageA, "Shared");
            var first = await Ui.SpawnAsync(pageA, "form");
            var second = await Ui.SpawnAsync(pageA, "chat");
            var firstId = await Ui.WindowIdAsync(first);
            var secondId = await Ui.WindowIdAsync(second);
            var saved = await Ui.StyleBoxAsync(second);
            await Ui.WaitForBoardAsync(pageA, boardId, b => b.GetProperty("windows").GetArrayLength() == 2 && Near(Ui.WorldBox(Ui.WindowDto(b, secondId)), saved), "both windows saved");

            await pageB.GotoAsync($"/boards/{boardId}");
            var firstInB = Ui.Window(pageB, firstId);
            var secondInB = Ui.Window(pageB, secondId);
            await Expect(secondInB).ToBeVisibleAsync();

            // A moves the first window; the server moves on to a new version.
            await Ui.DragTitleAsync(pageA, first, -80, 40);
            var movedByA = await Ui.StyleBoxAsync(first);
            await Ui.WaitForBoardAsync(pageA, boardId, b => Near(Ui.WorldBox(Ui.WindowDto(b, firstId)), movedByA), "A's move saved");

            // B, still on the old version, moves the second window: refused, told, reloaded.
            await Ui.DragTitleAsync(pageB, secondInB, 150, 30);
            var toast = pageB.GetByTestId("toast");
            await Expect(toast).ToContainTextAsync("changed elsewhere");
            await Ui.ScreenshotAsync(pageB, "board-06-stale-write-toast");
            // After the reload B shows A's move, and B's refused move did not overwrite anything.
            await Eventually.TrueAsync(async () => Near(await Ui.StyleBoxAsync(firstInB), movedByA), "B shows A's move after reloading");
            var board = await Ui.GetBoardAsync(pageA, boardId);
            Assert.True(Near(Ui.WorldBox(Ui.WindowDto(board, firstId)), movedByA), "A's move was overwritten");
            Assert.True(Near(Ui.WorldBox(Ui.WindowDto(board, secondId)), saved), "B's stale move was saved");
            Assert.True(Near(await Ui.StyleBoxAsync(secondInB), saved), "B still shows its refused move after the reload");
        }
        finally
        {
            await contextB.CloseAsync();
            await contextA.CloseAsync();
        }
    }

    internal static bool Near(Box a, Box b) =>
        Math.Abs(a.X - b.X) <= 1 && Math.Abs(a.Y - b.Y) <= 1 && Math.Abs(a.Width - b.Width) <= 1 && Math.Abs(a.Height - b.Height) <= 1;
}
