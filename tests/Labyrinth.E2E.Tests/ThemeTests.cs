using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Themes as a person uses them: the Theme menu in the top bar, the fractal grid on the board,
/// cards following the theme live, and the admin's theme file check. Theme choices are per user,
/// so the board tests run as a member of their own and never change the admin's look.
/// </summary>
public sealed class ThemeTests(E2EEnvironment env)
{
    private const string MemberPassword = "themes are data only";

    [Fact(Timeout = 120_000)]
    public async Task Theme_MidnightChosen_RecolorsBoardAndOpenCardWithoutReload()
    {
        var (context, page) = await MemberPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            var card = win.FrameLocator("iframe[title*='Hello']").Locator("main");
            await Expect(card).ToBeVisibleAsync();
            await page.EvaluateAsync("() => { window.__sameDocument = true; }");
            var boardBefore = await CanvasBackgroundAsync(page);
            var cardBefore = await card.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

            await ChooseThemeAsync(page, "Midnight");

            var midnight = await ThemeAsync(page, "Midnight");
            var expectedBoard = await ResolveColorAsync(page, CssVar(midnight, "--lab-canvas-bg"));
            var expectedCard = await ResolveColorAsync(page, CssVar(midnight, "--lab-surface"));
            Assert.NotEqual(boardBefore, expectedBoard);
            Assert.NotEqual(cardBefore, expectedCard);
            await Eventually.TrueAsync(async () => await CanvasBackgroundAsync(page) == expectedBoard, $"board background {expectedBoard}");
            // Every variable the host maps from the theme reaches the page (none dropped by the UI's filter).
            var vars = midnight.GetProperty("cssVars").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var applied = await page.EvaluateAsync<Dictionary<string, string>>(
                "names => Object.fromEntries(names.map(n => [n, document.documentElement.style.getPropertyValue(n).trim()]))",
                vars.Keys.ToArray());
            var missing = vars.Where(v => applied[v.Key] != v.Value.Trim()).Select(v => $"{v.Key}: wanted '{v.Value}', got '{applied[v.Key]}'").ToList();
            Assert.True(missing.Count == 0, "theme variables not applied:\n" + string.Join("\n", missing));

            // The open card follows live (themeChanged through the card bridge).
            await Eventually.TrueAsync(
                async () => await card.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor") == expectedCard,
                $"card background {expectedCard}");
            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");

            await Ui.ScreenshotAsync(page, "themes-01-midnight-card");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Theme_MidnightLined_DrawsHorizontalLinesAndSurvivesReload()
    {
        var (context, page) = await MemberPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            await ChooseThemeAsync(page, "Midnight (Lined)");
            var lined = await ThemeAsync(page, "Midnight (Lined)");
            var linedId = lined.GetProperty("id").GetString()!;
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", linedId);

            var stats = await GridStatsAsync(page);
            Assert.True(stats.LineRows >= 2, $"expected horizontal grid lines in an empty board region, got {stats}");
            Assert.True(stats.LineColumns == 0, $"expected no vertical grid line, got {stats}");
            await Ui.ScreenshotAsync(page, "themes-02-midnight-lined");

            await page.ReloadAsync();
            await Expect(page.GetByTestId("spawn-button")).ToBeVisibleAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", linedId);
            await page.GetByTestId("theme-menu").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Menuitemradio, new() { Name = "Midnight (Lined)", Exact = true }))
                .ToHaveAttributeAsync("aria-checked", "true");
            await page.Keyboard.PressAsync("Escape");
            var themes = await Ui.ApiAsync(page, "GET", "/api/themes");
            Assert.Equal(linedId, themes.Json!.Value.GetProperty("userThemeId").GetString());
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Theme_DefaultGrid_DrawsLinesBothWays()
    {
        // The check of the Lined theme must be able to fail: on the same region the built-in
        // grid (axes "both") shows vertical lines too.
        var (context, page) = await MemberPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            await ChooseThemeAsync(page, "Dark");
            var stats = await GridStatsAsync(page);
            Assert.True(stats.LineRows >= 2 && stats.LineColumns >= 2, $"expected lines both ways, got {stats}");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Theme_AdminDefault_AppliesToMembersWhoHaveNotChosen()
    {
        var (member, page) = await MemberPageAsync();
        var (adminContext, admin) = await env.AdminPageAsync();
        try
        {
            await admin.GotoAsync("/admin/themes");
            await Ui.CreateBoardAsync(page);
            var midnightId = (await ThemeAsync(page, "Midnight")).GetProperty("id").GetString()!;
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "light");

            var save = admin.WaitForResponseAsync(r => r.Request.Method == "PUT" && r.Url.EndsWith("/api/admin/themes/default", StringComparison.Ordinal));
            await admin.GetByTestId("default-theme").SelectOptionAsync(midnightId);
            Assert.Equal(204, (await save).Status);

            // The member follows "System", which now means the admin's default.
            await page.ReloadAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", midnightId);
            await page.GetByTestId("theme-menu").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Menuitemradio, new() { Name = "System" })).ToHaveAttributeAsync("aria-checked", "true");
            await page.Keyboard.PressAsync("Escape");
        }
        finally
        {
            // Other tests expect no default.
            await Ui.ApiAsync(admin, "PUT", "/api/admin/themes/default", new { themeId = (string?)null });
            await adminContext.CloseAsync();
            await member.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task ThemeValidator_InvalidFile_ShowsEveryPointerError()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync("/");
            await page.GetByTestId("theme-menu").ClickAsync();
            await page.GetByTestId("theme-settings").ClickAsync();
            await Expect(page.GetByTestId("admin-themes")).ToBeVisibleAsync();

            const string invalid = """
                {
                  "themeID": "broken",
                  "name": "Broken",
                  "tokens": {
                    "canvas.clearColor": "#12",
                    "ui.text.primary": "#777777",
                    "ui.panel.background": "#808080",
                    "ui.radius.panel": 999,
                    "ui.font.body": "Comic Sans From Somewhere"
                  },
                  "style": "body { background: url(https://evil.example/x) }"
                }
                """;
            await page.GetByTestId("theme-json").FillAsync(invalid);
            await page.GetByTestId("theme-validate").ClickAsync();

            var problems = page.GetByTestId("theme-problem");
            await Expect(page.GetByTestId("theme-problems")).ToBeVisibleAsync();
            await Expect(problems.Filter(new() { HasText = "/tokens/canvas.clearColor" })).ToHaveCountAsync(1);
            await Expect(problems.Filter(new() { HasText = "/tokens/ui.radius.panel" })).ToHaveCountAsync(1);
            await Expect(problems.Filter(new() { HasText = "/tokens/ui.font.body" })).ToHaveCountAsync(1);
            await Expect(problems.Filter(new() { HasText = "/style" })).ToHaveCountAsync(1);
            await Expect(problems.Filter(new() { HasText = "4.5:1" })).Not.ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "themes-03-validator-errors");

            // A valid theme clears the list.
            await page.GetByTestId("theme-json").FillAsync("""
                { "themeID": "fine", "name": "Fine", "tokens": { "canvas.clearColor": "#121316", "ui.text.primary": "#FFFFFF", "ui.panel.background": "#1d2027" } }
                """);
            await page.GetByTestId("theme-validate").ClickAsync();
            await Expect(page.GetByTestId("theme-valid")).ToBeVisibleAsync();
            await Expect(problems).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>A member of their own (created by the admin through the API), signed in through the UI.</summary>
    private async Task<(IBrowserContext Context, IPage Page)> MemberPageAsync()
    {
        var (adminContext, admin) = await env.AdminPageAsync();
        var name = "themes" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await admin.GotoAsync("/");
            var created = await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = name, password = MemberPassword, role = "member" });
            Assert.True(created.Status is 200 or 201, $"could not create the member: {created.Status} {created.Text}");
        }
        finally
        {
            await adminContext.CloseAsync();
        }

        var context = await env.NewContextAsync(env.Server);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await Ui.LoginAsync(page, name, MemberPassword);
        await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
        return (context, page);
    }

    private static async Task ChooseThemeAsync(IPage page, string name)
    {
        await page.GetByTestId("theme-menu").ClickAsync();
        var save = page.WaitForResponseAsync(r => r.Request.Method == "PUT" && r.Url.EndsWith("/api/me/theme", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Menuitemradio, new() { Name = name, Exact = true }).ClickAsync();
        Assert.Equal(204, (await save).Status);
    }

    private static async Task<JsonElement> ThemeAsync(IPage page, string name)
    {
        var r = await Ui.ApiAsync(page, "GET", "/api/themes");
        Assert.Equal(200, r.Status);
        return r.Json!.Value.GetProperty("themes").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name).Clone();
    }

    private static string CssVar(JsonElement theme, string name) =>
        theme.GetProperty("cssVars").TryGetProperty(name, out var v) ? v.GetString()! : throw new InvalidOperationException($"theme has no {name}");

    private static Task<string> CanvasBackgroundAsync(IPage page) =>
        page.GetByTestId("canvas").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    /// <summary>How the browser writes a CSS color (e.g. "#121316" → "rgb(18, 19, 22)").</summary>
    private static Task<string> ResolveColorAsync(IPage page, string css) =>
        page.EvaluateAsync<string>(
            "c => { const d = document.createElement('div'); d.style.backgroundColor = c; document.body.append(d); const v = getComputedStyle(d).backgroundColor; d.remove(); return v; }",
            css);

    private sealed record GridStats(int LineRows, int LineColumns, int Width, int Height);

    /// <summary>
    /// Screenshots an empty region of the board (below the top bar, clear of the spawn button and
    /// zoom control) and counts full-length rows and columns of pixels that differ from the board
    /// background. The PNG is decoded by the page's own image decoder.
    /// </summary>
    private static async Task<GridStats> GridStatsAsync(IPage page)
    {
        var canvas = await Ui.ScreenBoxAsync(page.GetByTestId("canvas"));
        // Let the grid layer draw the current theme (it redraws in the next animation frame).
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        var clip = new Clip { X = (float)(canvas.X + 40), Y = (float)(canvas.Y + 40), Width = 320, Height = 420 };
        var png = await page.ScreenshotAsync(new() { Clip = clip, Timeout = 10_000 });
        var stats = await page.EvaluateAsync<JsonElement>(
            @"async (b64) => {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
                const c = new OffscreenCanvas(bmp.width, bmp.height);
                const ctx = c.getContext('2d');
                ctx.drawImage(bmp, 0, 0);
                const { data, width, height } = ctx.getImageData(0, 0, bmp.width, bmp.height);
                // The background is the most common color.
                const counts = new Map();
                for (let i = 0; i < data.length; i += 4) {
                  const k = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
                  counts.set(k, (counts.get(k) || 0) + 1);
                }
                let bg = 0, best = -1;
                for (const [k, n] of counts) if (n > best) { best = n; bg = k; }
                const br = bg >> 16, bgG = (bg >> 8) & 255, bb = bg & 255;
                const line = (x, y) => {
                  const i = (y * width + x) * 4;
                  return Math.abs(data[i] - br) + Math.abs(data[i + 1] - bgG) + Math.abs(data[i + 2] - bb) > 6;
                };
                let rows = 0, cols = 0;
                for (let y = 0; y < height; y++) {
                  let n = 0;
                  for (let x = 0; x < width; x++) if (line(x, y)) n++;
                  if (n > width * 0.9) rows++;
                }
                for (let x = 0; x < width; x++) {
                  let n = 0;
                  for (let y = 0; y < height; y++) if (line(x, y)) n++;
                  if (n > height * 0.9) cols++;
                }
                return { rows, cols, width, height };
              }",
            Convert.ToBase64String(png));
        return new GridStats(stats.GetProperty("rows").GetInt32(), stats.GetProperty("cols").GetInt32(), stats.GetProperty("width").GetInt32(), stats.GetProperty("height").GetInt32());
    }
}
