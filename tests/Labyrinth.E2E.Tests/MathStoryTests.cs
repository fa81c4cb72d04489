using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Seed 002 §13.1 as a person lives it, with the Math plugin that ships with the host: write
/// <c>2+3</c> with the pen, lasso it, Convert to Math; the card reads it and shows 5; the person
/// corrects it to <c>2+3*4</c> and sees 14; a reload keeps their edit; the permissions panel shows
/// the shared selection, and revoking it takes the ink away from the card but not their work.
/// </summary>
public sealed partial class MathStoryTests(E2EEnvironment env)
{
    private const string MathPlugin = "dev.labyrinth.math";

    [Fact(Timeout = 240_000)]
    public async Task Handwriting_ConvertToMath_ReadsEvaluatesKeepsEditAndRevokes()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync("/");
            var boardId = await Ui.CreateBoardAsync(page);
            var hand = new Handwriting(seed: 20261205);

            // The pen, then "2+3" as a person writes it (2, the two bars of +, 3) and a scribble well away.
            await page.GetByTestId("ink-tool-pen").ClickAsync();
            await Expect(page.GetByTestId("ink-tool-pen")).ToHaveAttributeAsync("aria-pressed", "true");
            var expression = hand.Write("2+3", 180, 240);
            Assert.Equal(4, expression.Count);
            await Handwriting.DrawAsync(page, expression);
            var scribble = hand.Write("2", 200, 600);
            await Handwriting.DrawAsync(page, scribble);
            await Eventually.ReachAsync(() => StrokeCountAsync(page, boardId), n => n == 5, "five strokes stored");
            await Ui.ScreenshotAsync(page, "math-01-pen-strokes");

            // The lasso around the expression: its four strokes are selected, not the scribble.
            await page.Keyboard.PressAsync("l");
            var (x0, y0, x1, y1) = Handwriting.BoxOf(expression);
            await Handwriting.DrawAsync(page, [hand.Loop(x0, y0, x1, y1, 22)]);
            var actions = page.GetByTestId("ink-selection-actions");
            await Expect(actions).ToHaveAttributeAsync("data-count", "4");
            await Ui.ScreenshotAsync(page, "math-02-lasso-convert");

            // Convert to Math, timing the click to the card's first render as the page sees it.
            await page.EvaluateAsync(@"() => {
                window.__math = {};
                addEventListener('pointerdown', (e) => { if (e.target.closest?.('[data-testid=ink-convert-math]')) window.__math.click = performance.now(); }, true);
                new MutationObserver(() => {
                  if (window.__math.ready === undefined && window.__math.click !== undefined && document.querySelector('[data-testid=plugin-renderer][data-status=ready]'))
                    window.__math.ready = performance.now();
                }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
            }");
            var spawned = await page.RunAndWaitForResponseAsync(
                () => actions.GetByTestId("ink-convert-math").ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/windows", StringComparison.Ordinal),
                new() { Timeout = 10_000 });
            Assert.Equal(201, spawned.Status);
            using var doc = JsonDocument.Parse(await spawned.TextAsync());
            var windowId = doc.RootElement.GetProperty("window").GetProperty("id").GetString()!;
            var win = Ui.Window(page, windowId);
            await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            var openMs = await page.EvaluateAsync<double>("() => window.__math.ready - window.__math.click");
            await RecordAsync($"convert-to-math → first render: {openMs:F0} ms (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");

            // The card received exactly the lassoed strokes, read "2+3" and shows 5.
            var card = win.FrameLocator("iframe");
            await Expect(card.GetByTestId("math-stroke-count")).ToHaveTextAsync("4 strokes received");
            await Expect(card.GetByTestId("math-latex")).ToHaveValueAsync("2+3", new() { Timeout = 30_000 });
            await Expect(card.GetByTestId("math-result")).ToHaveAttributeAsync("data-kind", "value");
            await Expect(card.GetByTestId("math-result").Locator(".katex-html")).ToHaveTextAsync(ResultRegex("5"));
            var shared = await Ui.ApiAsync(page, "GET", $"/api/cards/{boardId}/{windowId}/selection");
            Assert.Equal(200, shared.Status);
            Assert.Equal(4, shared.Json!.Value.GetProperty("strokes").GetArrayLength());
            var selectionId = shared.Json!.Value.GetProperty("id").GetString()!;
            await Expect(card.GetByTestId("math")).ToHaveAttributeAsync("data-selection", selectionId);
            await Ui.ScreenshotAsync(page, "math-03-card-five");

            // The person corrects it in the card's math field: enter the card, click the field, type.
            await EnterCardAsync(win);
            var field = card.GetByTestId("math-field");
            await field.ClickAsync();
            await Expect(field).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("End");
            await page.Keyboard.TypeAsync("*4");
            await Expect(card.GetByTestId("math-result").Locator(".katex-html")).ToHaveTextAsync(ResultRegex("14"));
            var edited = await card.GetByTestId("math-latex").InputValueAsync();
            Assert.Matches(@"^2\+3(\\cdot|\\times|\*)4$", edited);
            await Ui.WaitForPayloadAsync(page, boardId, windowId, p => p.Contains("\"result\":\"14\"", StringComparison.Ordinal), "the edit saved");
            await Ui.ScreenshotAsync(page, "math-04-card-fourteen");

            // Reload: the host pushes the same share again; the card shows it without reading it again.
            await page.ReloadAsync();
            win = Ui.Window(page, windowId);
            card = win.FrameLocator("iframe");
            await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            await Expect(card.GetByTestId("math")).ToHaveAttributeAsync("data-selection", selectionId);
            // The share was handled when data-selection changed: a new reading would have started then.
            Assert.Equal(0, await card.GetByRole(AriaRole.Status).Filter(new() { HasText = "Recognising" }).CountAsync());
            Assert.Equal(edited, await card.GetByTestId("math-latex").InputValueAsync());
            await Expect(card.GetByTestId("math-result").Locator(".katex-html")).ToHaveTextAsync(ResultRegex("14"));
            await Expect(card.GetByTestId("math-recognized")).ToContainTextAsync("edited since");
            await Ui.ScreenshotAsync(page, "math-05-reloaded");

            // The permissions panel shows the shared selection with its preview.
            await win.GetByTestId("btn-permissions").ClickAsync();
            var item = page.GetByTestId("permissions-panel").GetByTestId("permission-selection");
            await Expect(item).ToBeVisibleAsync();
            await Expect(item).ToContainTextAsync("4");
            await Eventually.TrueAsync(async () => await item.Locator("img").EvaluateAsync<int>("img => img.naturalWidth") > 0, "the preview image loaded");
            await Ui.ScreenshotAsync(page, "math-06-permissions");

            // Revoke: the share is gone from the host and from the card; the person's expression and 14 stay.
            await item.GetByTestId("permission-selection-revoke").ClickAsync();
            await Expect(item).ToHaveCountAsync(0);
            Assert.Equal(404, (await Ui.ApiAsync(page, "GET", $"/api/cards/{boardId}/{windowId}/selection")).Status);
            await Expect(card.GetByTestId("math-revoked")).ToBeVisibleAsync();
            await Expect(card.GetByTestId("math")).ToHaveAttributeAsync("data-selection", "");
            await Expect(card.GetByTestId("math-preview")).ToHaveCountAsync(0);
            await Expect(card.GetByTestId("math-stroke-count")).ToHaveCountAsync(0);
            Assert.Equal(edited, await card.GetByTestId("math-latex").InputValueAsync());
            await Expect(card.GetByTestId("math-result").Locator(".katex-html")).ToHaveTextAsync(ResultRegex("14"));
            var payload = await Ui.WaitForPayloadAsync(page, boardId, windowId, p => p.Contains("\"revoked\":true", StringComparison.Ordinal), "the revoke saved");
            using (var saved = JsonDocument.Parse(payload))
            {
                var p = saved.RootElement.GetProperty("payload");
                Assert.Equal(JsonValueKind.Null, p.GetProperty("preview").ValueKind);
                Assert.Equal(0, p.GetProperty("strokes").GetInt32());
                Assert.Equal("14", p.GetProperty("result").GetString());
            }

            await Ui.ScreenshotAsync(page, "math-07-revoked");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task ClosedCard_SelectionRevoked_PictureGoesAndCardLearnsWhenOpened()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync("/");
            var boardId = await Ui.CreateBoardAsync(page);
            var hand = new Handwriting(seed: 7);
            await page.GetByTestId("ink-tool-pen").ClickAsync();
            var expression = hand.Write("2+3", 180, 240);
            await Handwriting.DrawAsync(page, expression);
            await page.Keyboard.PressAsync("l");
            var (x0, y0, x1, y1) = Handwriting.BoxOf(expression);
            await Handwriting.DrawAsync(page, [hand.Loop(x0, y0, x1, y1, 22)]);
            var actions = page.GetByTestId("ink-selection-actions");
            await Expect(actions).ToHaveAttributeAsync("data-count", "4");
            var spawned = await page.RunAndWaitForResponseAsync(
                () => actions.GetByTestId("ink-convert-math").ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.EndsWith("/windows", StringComparison.Ordinal),
                new() { Timeout = 10_000 });
            using var doc = JsonDocument.Parse(await spawned.TextAsync());
            var win = Ui.Window(page, doc.RootElement.GetProperty("window").GetProperty("id").GetString()!);
            var card = win.FrameLocator("iframe");
            await Expect(card.GetByTestId("math-latex")).ToHaveValueAsync("2+3", new() { Timeout = 30_000 });

            // Closed, the card shows a picture of itself: the handwriting is in it.
            await CardUi.CloseAsync(win);
            await Expect(win.GetByTestId("card-snapshot")).ToBeVisibleAsync();

            // Revoked while closed: the picture goes (icon and name instead) …
            await win.GetByTestId("btn-permissions").ClickAsync();
            var item = page.GetByTestId("permissions-panel").GetByTestId("permission-selection");
            await item.GetByTestId("permission-selection-revoke").ClickAsync();
            await Expect(item).ToHaveCountAsync(0);
            await Expect(win.GetByTestId("card-fallback")).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "math-08-revoked-while-closed");

            // … and the card, opened again, hears of it: its saved preview is dropped, the expression stays.
            await page.GetByTestId("permissions-close").ClickAsync();
            await CardUi.SelectAndOpenAsync(win);
            card = win.FrameLocator("iframe");
            await Expect(card.GetByTestId("math-revoked")).ToBeVisibleAsync();
            await Expect(card.GetByTestId("math-preview")).ToHaveCountAsync(0);
            await Expect(card.GetByTestId("math-latex")).ToHaveValueAsync("2+3");
            await Expect(card.GetByTestId("math-result").Locator(".katex-html")).ToHaveTextAsync(ResultRegex("5"));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Enters the card as a person does before typing in it (a shield covers a card not yet entered).</summary>
    private static async Task EnterCardAsync(ILocator win)
    {
        var shield = win.GetByTestId("card-shield");
        if (await shield.CountAsync() > 0)
        {
            await shield.ClickAsync();
        }

        await Expect(shield).ToHaveCountAsync(0);
    }

    private static async Task<int> StrokeCountAsync(IPage page, string boardId)
    {
        var r = await Ui.ApiAsync(page, "GET", $"/api/boards/{boardId}/strokes");
        return r.Status == 200 ? r.Json!.Value.GetProperty("strokes").GetArrayLength() : -1;
    }

    /// <summary>KaTeX's text for "= value" (spaces vary with the renderer).</summary>
    private static Regex ResultRegex(string value) => new($@"^=\s*{Regex.Escape(value)}$");

    private static Task RecordAsync(string line) =>
        File.AppendAllTextAsync(Path.Combine(E2EEnvironment.ScreenshotDir, "math-timings.txt"), $"{DateTime.UtcNow:O} {line}\n");
}
