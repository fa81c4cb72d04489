using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// What a newcomer meets on a board: new windows land side by side instead of on top of each
/// other, the card menu holds "Remove from board" away from Close, and a card with a newer
/// version says so on the card itself.
/// </summary>
public sealed class BoardFirstHourTests(E2EEnvironment env)
{
    private const string Hello = "dev.labyrinth.hello";

    [Fact(Timeout = 120_000)]
    public async Task New_windows_land_near_the_middle_without_hiding_each_other()
    {
        var (ctx, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var boxes = new List<Box>();
            foreach (var kind in new[] { "form", "chat", "metadata", "hello" })
            {
                boxes.Add(await Ui.ScreenBoxAsync(await Ui.SpawnAsync(page, kind)));
            }

            var stage = await Ui.ScreenBoxAsync(page.Locator("main.stage"));
            for (var i = 0; i < boxes.Count; i++)
            {
                var a = boxes[i];
                Assert.True(a.X >= stage.X && a.Y >= stage.Y && a.X + a.Width <= stage.X + stage.Width && a.Y + a.Height <= stage.Y + stage.Height, $"window {i} {a} is not inside the view {stage}");
                for (var j = i + 1; j < boxes.Count; j++)
                {
                    var b = boxes[j];
                    var overlap = a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
                    Assert.False(overlap, $"window {j} {b} overlaps window {i} {a}");
                }
            }

            await Ui.ScreenshotAsync(page, "board-01-placed-side-by-side");
        }
        finally
        {
            await ctx.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Remove_from_board_lives_in_the_card_menu_not_beside_close()
    {
        var (ctx, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            var controls = win.GetByTestId("window-titlebar");
            await Expect(controls.GetByRole(AriaRole.Button, new() { Name = "Close card" })).ToBeVisibleAsync();
            await Expect(controls.GetByRole(AriaRole.Button, new() { NameRegex = new("^Remove") })).ToHaveCountAsync(0);
            // The resize grip is drawn in the corner.
            await Expect(win.GetByTestId("resize-se")).ToBeVisibleAsync();

            await win.GetByTestId("card-menu").ClickAsync();
            var menu = page.GetByRole(AriaRole.Menu, new() { Name = "Card actions" });
            await Expect(menu).ToBeVisibleAsync();
            // An admin also gets the developer overlay; removing stays last, away from the rest.
            await Expect(menu.GetByRole(AriaRole.Menuitem)).ToHaveTextAsync([new Regex("Permissions…"), new Regex("Developer overlay"), new Regex("Remove from board…")]);
            await Ui.ScreenshotAsync(page, "board-02-card-menu");
            await page.Keyboard.PressAsync("Escape");

            await CardUi.RemoveAsync(page, win);
        }
        finally
        {
            await ctx.CloseAsync();
        }
    }

    /// <summary>The README's picture (docs/screenshot.png with LABYRINTH_DOCS_SCREENSHOT=1): open cards and a permissions panel.</summary>
    [Fact(Timeout = 120_000)]
    public async Task The_readme_picture_shows_open_cards_and_a_permissions_panel()
    {
        var (ctx, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page, "Team plan");
            // Placed through the API (a picture, not a behaviour): two columns below the ink
            // toolbar and left of where the permissions panel opens.
            var ids = new List<string>();
            foreach (var (typeId, plugin, title, x, y, w, h) in new[]
                     {
                         ("hello", "dev.labyrinth.hello", "Hello", 24, 68, 320, 220),
                         ("note", "dev.labyrinth.notes", "Note", 24, 310, 320, 260),
                         ("chatbot", "dev.labyrinth.chatbot", "Chatbot", 368, 68, 380, 502),
                     })
            {
                var board = await Ui.GetBoardAsync(page, boardId);
                var r = await Ui.ApiAsync(page, "POST", $"/api/boards/{boardId}/windows", new { kind = "plugin", title, x, y, width = w, height = h, plugin = new { pluginId = plugin, typeID = typeId } },
                    Ui.Quote(board.GetProperty("version").GetInt64()));
                Assert.True(r.Status == 201, r.Text);
                ids.Add(r.Json!.Value.GetProperty("window").GetProperty("id").GetString()!);
            }

            await page.ReloadAsync();
            var (hello, note, chat) = (Ui.Window(page, ids[0]), Ui.Window(page, ids[1]), Ui.Window(page, ids[2]));
            await Expect(page.Locator("[data-testid=plugin-renderer][data-status=ready]")).ToHaveCountAsync(3);
            await hello.FrameLocator("iframe").GetByTestId("count").ClickAsync();
            await note.FrameLocator("iframe").Locator("textarea").FillAsync("Ship the canvas on Friday.\nDemo: the chatbot and the timer.");
            await chat.GetByTestId("btn-permissions").ClickAsync();
            await Expect(page.GetByTestId("permissions-signature")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=plugin-renderer][data-status=ready]")).ToHaveCountAsync(3);
            await Expect(page.GetByTestId("save-state")).Not.ToContainTextAsync("Saving", new() { Timeout = 10_000 });
            await Ui.ScreenshotAsync(page, "readme-board");
            await Ui.DocsScreenshotAsync(page);
        }
        finally
        {
            await ctx.CloseAsync();
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_card_with_a_newer_version_says_update_available_on_the_card()
    {
        var tmp = Directory.CreateTempSubdirectory("labyrinth-update-").FullName;
        var (ctx, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "hello");
            await Expect(win.GetByTestId("card-update-available")).ToHaveCountAsync(0);

            // hello 1.0.1, signed with the host's own local publisher key (trusted at first run).
            var dir = Path.Combine(tmp, "hello");
            foreach (var f in Directory.EnumerateFiles(Path.Combine(Cli.RepoRoot, "plugins", "hello", "dist"), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(dir, Path.GetRelativePath(Path.Combine(Cli.RepoRoot, "plugins", "hello", "dist"), f));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(f, target);
            }

            var manifestPath = Path.Combine(dir, "manifest.json");
            var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath, TestContext.Current.CancellationToken))!;
            manifest["version"] = "1.0.1";
            await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString(), TestContext.Current.CancellationToken);
            var pkg = Path.Combine(tmp, "hello-1.0.1.labyrinthplugin");
            var pack = await Cli.RunAsync(["plugin", "pack", dir, "--key", Path.Combine(env.Server.DataDir, "keys", "local-publisher.json"), "--out", pkg]);
            Assert.True(pack.ExitCode == 0, pack.ToString());
            var board = page.Url;
            await AdminUi.OpenAsync(page);
            await page.GetByTestId("upload-input").SetInputFilesAsync(pkg);
            await Expect(AdminUi.PluginRow(page, Hello).Locator("td").Nth(1)).ToHaveTextAsync("1.0.1");

            await page.GotoAsync(board);
            var update = win.GetByTestId("card-update-available");
            await Expect(update).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "board-03-update-available");
            await update.ClickAsync();
            var panel = page.GetByTestId("permissions-panel");
            await Expect(panel).ToContainTextAsync("1.0.1");
        }
        finally
        {
            var list = await Ui.ApiAsync(page, "GET", "/api/admin/plugins");
            if (list.Text.Contains("\"1.0.1\"", StringComparison.Ordinal))
            {
                await Ui.ApiAsync(page, "POST", $"/api/admin/plugins/{Hello}/activate", new { version = "1.0.0", rollback = true });
                await Ui.ApiAsync(page, "DELETE", $"/api/admin/plugins/{Hello}?version=1.0.1");
            }

            await ctx.CloseAsync();
            Directory.Delete(tmp, recursive: true);
        }
    }
}
