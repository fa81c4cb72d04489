using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>Geometry of a window: on screen (pixels) or in the board document (world units).</summary>
public sealed record Box(double X, double Y, double Width, double Height)
{
    public static Box Of(LocatorBoundingBoxResult b) => new(b.X, b.Y, b.Width, b.Height);

    public void ShouldEqual(Box other, double tolerance = 1)
    {
        Assert.True(
            Math.Abs(X - other.X) <= tolerance && Math.Abs(Y - other.Y) <= tolerance
            && Math.Abs(Width - other.Width) <= tolerance && Math.Abs(Height - other.Height) <= tolerance,
            $"expected {other} within {tolerance}, got {this}");
    }
}

/// <summary>What a person does in the UI, in small steps tests compose.</summary>
public static partial class Ui
{
    public static async Task CompleteSetupAsync(IPage page, string setupUrl, string user, string password)
    {
        await page.GotoAsync(setupUrl);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create the administrator" })).ToBeVisibleAsync();
        await page.Locator("input[name=userName]").FillAsync(user);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.Locator("input[name=confirm]").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
    }

    public static async Task LoginAsync(IPage page, string user, string password)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.Locator("input[name=userName]").FillAsync(user);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public static async Task LogoutAsync(IPage page)
    {
        await page.GetByTestId("user-menu").ClickAsync();
        await page.GetByTestId("menu-logout").ClickAsync();
        await Expect(page).ToHaveURLAsync(LoginUrlRegex());
    }

    /// <summary>Creates a board through "New board" and returns its id (from the URL).</summary>
    public static async Task<string> CreateBoardAsync(IPage page, string? name = null)
    {
        if (!page.Url.StartsWith("http", StringComparison.Ordinal) || page.Url.EndsWith("about:blank", StringComparison.Ordinal))
        {
            await page.GotoAsync("/");
        }

        await Expect(page.GetByTestId("new-board")).ToBeEnabledAsync();
        name ??= "Board " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByTestId("new-board").ClickAsync();
        await page.GetByTestId("prompt-input").FillAsync(name);
        await page.GetByTestId("prompt-ok").ClickAsync();
        await Expect(page.GetByTestId("board-switcher")).ToContainTextAsync(name);
        await Expect(page.GetByTestId("spawn-button")).ToBeVisibleAsync();
        var m = BoardUrlRegex().Match(page.Url);
        Assert.True(m.Success, $"not on a board URL: {page.Url}");
        return Uri.UnescapeDataString(m.Groups[1].Value);
    }

    /// <summary>Opens "Add window", picks an item, returns the new window (by the id the server assigned).</summary>
    public static async Task<ILocator> SpawnAsync(IPage page, string item)
    {
        await page.GetByTestId("spawn-button").ClickAsync();
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByTestId($"spawn-item-{item}").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/windows", StringComparison.Ordinal),
            new() { Timeout = 10_000 });
        Assert.Equal(201, response.Status);
        using var doc = JsonDocument.Parse(await response.TextAsync());
        var id = doc.RootElement.GetProperty("window").GetProperty("id").GetString()!;
        var win = Window(page, id);
        await Expect(win).ToBeVisibleAsync();
        return win;
    }

    public static ILocator Window(IPage page, string id) => page.Locator($"[data-testid=window][data-window-id='{id}']");

    public static async Task<string> WindowIdAsync(ILocator win) => (await win.GetAttributeAsync("data-window-id"))!;

    public static async Task<Box> ScreenBoxAsync(ILocator locator) =>
        Box.Of(await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("element has no box"));

    /// <summary>Presses on the title text and drags by (dx, dy) in small pointer moves, like a hand.</summary>
    public static async Task DragTitleAsync(IPage page, ILocator win, double dx, double dy)
    {
        var title = win.GetByTestId("window-titlebar").Locator(".title-text");
        var b = await ScreenBoxAsync(title);
        await DragAsync(page, b.X + Math.Min(20, b.Width / 2), b.Y + b.Height / 2, dx, dy);
    }

    /// <summary>Points at the window (its edges show under the pointer), then drags the edge or corner by (dx, dy).</summary>
    public static async Task ResizeAsync(IPage page, ILocator win, string dir, double dx, double dy)
    {
        await win.GetByTestId("window-titlebar").Locator(".title-text").HoverAsync();
        var handle = win.GetByTestId($"resize-{dir}");
        var b = await ScreenBoxAsync(handle);
        await DragAsync(page, b.X + b.Width / 2, b.Y + b.Height / 2, dx, dy);
    }

    private static async Task DragAsync(IPage page, double x, double y, double dx, double dy)
    {
        await page.Mouse.MoveAsync((float)x, (float)y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)(x + dx / 2), (float)(y + dy / 2), new() { Steps = 5 });
        await page.Mouse.MoveAsync((float)(x + dx), (float)(y + dy), new() { Steps = 5 });
        await page.Mouse.UpAsync();
    }

    /// <summary>Calls the API from the signed-in page, as the UI would (CSRF header, JSON).</summary>
    public static async Task<ApiResult> ApiAsync(IPage page, string method, string path, object? body = null, string? ifMatch = null, bool csrfHeader = true)
    {
        var json = await page.EvaluateAsync<JsonElement>(
            @"async ([method, path, body, ifMatch, csrf]) => {
                const headers = { Accept: 'application/json' };
                if (csrf) headers['X-Labyrinth-Request'] = '1';
                if (body !== null) headers['Content-Type'] = 'application/json';
                if (ifMatch !== null) headers['If-Match'] = ifMatch;
                const ctrl = new AbortController();
                const t = setTimeout(() => ctrl.abort(), 8000);
                try {
                  const r = await fetch(path, { method, headers, body: body === null ? undefined : body, signal: ctrl.signal });
                  const text = await r.text();
                  return { status: r.status, etag: r.headers.get('ETag'), text };
                } finally { clearTimeout(t); }
              }",
            new object?[] { method, path, body is null ? null : body as string ?? JsonSerializer.Serialize(body, JsonOpts), ifMatch, csrfHeader });
        var text = json.GetProperty("text").GetString() ?? "";
        JsonElement? parsed = null;
        if (text.Length > 0 && (text[0] == '{' || text[0] == '['))
        {
            parsed = JsonDocument.Parse(text).RootElement.Clone();
        }

        return new ApiResult(json.GetProperty("status").GetInt32(), json.GetProperty("etag").ValueKind == JsonValueKind.String ? json.GetProperty("etag").GetString() : null, text, parsed);
    }

    public static async Task<JsonElement> GetBoardAsync(IPage page, string boardId)
    {
        var r = await ApiAsync(page, "GET", $"/api/boards/{Uri.EscapeDataString(boardId)}");
        Assert.Equal(200, r.Status);
        return r.Json!.Value;
    }

    public static JsonElement WindowDto(JsonElement board, string windowId) =>
        board.GetProperty("windows").EnumerateArray().Single(w => w.GetProperty("id").GetString() == windowId);

    public static Box WorldBox(JsonElement w) => new(
        w.GetProperty("x").GetDouble(), w.GetProperty("y").GetDouble(), w.GetProperty("width").GetDouble(), w.GetProperty("height").GetDouble());

    /// <summary>The window's geometry as the UI lays it out (inline style, world units).</summary>
    public static async Task<Box> StyleBoxAsync(ILocator win)
    {
        var v = await win.EvaluateAsync<double[]>("e => [e.style.left, e.style.top, e.style.width, e.style.height].map(parseFloat)");
        return new Box(v[0], v[1], v[2], v[3]);
    }

    /// <summary>Polls the server until <paramref name="check"/> holds for the board (the UI saves debounced).</summary>
    public static Task<JsonElement> WaitForBoardAsync(IPage page, string boardId, Func<JsonElement, bool> check, string what) =>
        Eventually.ReachAsync(() => GetBoardAsync(page, boardId), check, "the server's board: " + what);

    /// <summary>Polls the server until the card's stored payload (its JSON text) satisfies <paramref name="check"/> (cards save debounced).</summary>
    public static async Task<string> WaitForPayloadAsync(IPage page, string boardId, string windowId, Func<string, bool> check, string what)
    {
        var r = await Eventually.ReachAsync(
            () => ApiAsync(page, "GET", $"/api/cards/{Uri.EscapeDataString(boardId)}/{Uri.EscapeDataString(windowId)}/payload"),
            r => r.Status == 200 && check(r.Text),
            "the card's stored payload: " + what);
        return r.Text;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(E2EEnvironment.ScreenshotDir, name + ".png"), Timeout = 10_000 });
    }

    /// <summary>
    /// Writes docs/screenshot.png (the README's picture) when LABYRINTH_DOCS_SCREENSHOT=1, so an
    /// ordinary test run leaves the working tree clean.
    /// </summary>
    public static async Task DocsScreenshotAsync(IPage page)
    {
        if (Environment.GetEnvironmentVariable("LABYRINTH_DOCS_SCREENSHOT") != "1")
        {
            return;
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Cli.RepoRoot, "docs", "screenshot.png"), Timeout = 10_000 });
    }

    public static string Quote(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    private static readonly JsonSerializerOptions JsonOpts = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"/login$")]
    public static partial Regex LoginUrlRegex();

    [GeneratedRegex(@"/boards/([^/?#]+)")]
    private static partial Regex BoardUrlRegex();
}

public sealed record ApiResult(int Status, string? ETag, string Text, JsonElement? Json)
{
    public string? Code => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("code", out var c) ? c.GetString() : null;
}

/// <summary>Small steps on the plugin admin page (/admin/plugins).</summary>
public static class AdminUi
{
    /// <summary>The confirm dialog that is open now (every dialog shares data-testid confirm-dialog).</summary>
    public static ILocator OpenDialog(IPage page) => page.Locator("dialog[open]");

    public static ILocator PluginRow(IPage page, string pluginId) => page.Locator($"[data-testid=plugin-row][data-plugin-id='{pluginId}']");

    public static async Task OpenAsync(IPage page)
    {
        await page.GotoAsync("/admin/plugins");
        await Expect(page.GetByTestId("admin-plugins")).ToBeVisibleAsync();
    }

    /// <summary>Expands the plugin's versions (if collapsed) and returns the row of one version.</summary>
    public static async Task<ILocator> VersionRowAsync(IPage page, string pluginId, string version)
    {
        var toggle = PluginRow(page, pluginId).GetByTestId("plugin-versions");
        if (await toggle.GetAttributeAsync("aria-expanded") != "true")
        {
            await toggle.ClickAsync();
        }

        var row = page.Locator($"[data-testid=plugin-versions-row][data-plugin-id='{pluginId}'] [data-testid=version-row][data-version='{version}']");
        await Expect(row).ToBeVisibleAsync();
        return row;
    }

    /// <summary>Fills the kill reason (when asked) and confirms the open dialog.</summary>
    public static async Task ConfirmAsync(IPage page, string? reason = null)
    {
        var dialog = OpenDialog(page);
        await Expect(dialog).ToBeVisibleAsync();
        if (reason is not null)
        {
            await dialog.GetByTestId("kill-reason").FillAsync(reason);
        }

        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Expect(OpenDialog(page)).ToHaveCountAsync(0);
    }
}
