using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>What keeps a board smooth, seen from the person's side: a wheel zoom moves one composited
/// layer only while it lasts, and windows still resize from every edge with the mouse.</summary>
public sealed class BoardGestureTests(E2EEnvironment env)
{
    [Fact(Timeout = 90_000)]
    public async Task Canvas_WheelZoom_WorldIsItsOwnLayerOnlyUntilTheGestureSettles()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var form = await Ui.SpawnAsync(page, "form");
            var before = await Ui.ScreenBoxAsync(form);

            // Every change of the world layer's class, with the will-change it gave: the settle comes
            // 150 ms after the last tick, sooner than a round trip to the browser under load, so the
            // page records the sequence rather than the test sampling it.
            await page.GetByTestId("canvas-content").EvaluateAsync(
                """
                el => {
                  window.__layer = [getComputedStyle(el).willChange];
                  new MutationObserver(() => window.__layer.push(getComputedStyle(el).willChange))
                    .observe(el, { attributes: true, attributeFilter: ['class'] });
                }
                """);
            var canvas = await Ui.ScreenBoxAsync(page.GetByTestId("canvas"));
            var (x, y) = (canvas.X + canvas.Width / 2, canvas.Y + canvas.Height * 0.75);
            Assert.Equal("canvas", await page.EvaluateAsync<string?>("([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid]')?.dataset.testid ?? null", new[] { x, y }));
            await page.Mouse.MoveAsync((float)x, (float)y);
            // One tick: a gesture of its own (ticks further apart than the settle would be several).
            await page.Mouse.WheelAsync(0, -100);

            var seen = await Eventually.ReachAsync(
                () => page.EvaluateAsync<string[]>("() => window.__layer"),
                s => s.Length >= 3,
                "the world layer composited at the first tick and back at rest after the settle");
            Assert.Equal(["auto", "transform", "auto"], seen);
            var after = await Ui.ScreenBoxAsync(form);
            Assert.True(after.Width > before.Width * 1.15, $"the wheel zoomed in (window {before.Width:F0} → {after.Width:F0} px wide)");
            // At rest the zoomed-in window is painted at its new scale: the title text stays crisp.
            await Ui.ScreenshotAsync(page, "board-gesture-01-zoomed-at-rest");
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
            await Ui.DragTitleAsync(page, other, 420, 0);
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

            await Ui.ScreenshotAsync(page, "board-gesture-02-resized-every-edge");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
