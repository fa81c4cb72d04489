using System.Text.Json;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Every page a person meets in the first hour — setup, sign-in, a board with four open cards,
/// assets, profile, keys and each admin page — passes axe-core without a critical or serious
/// violation, in the light and the dark theme, and writes no error or warning to the console.
/// </summary>
public sealed partial class QualityGateTests(E2EEnvironment env)
{
    private const string Password = "quality gate password";

    [Theory(Timeout = 300_000)]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task EveryPage_Axe_NoCriticalOrSeriousViolation(string theme)
    {
        await WalkEveryPageAsync(theme, async (page, what, _) => await AxeGate.AssertNoSeriousViolationsAsync(page, $"{what} ({theme})"));
    }

    [Fact(Timeout = 300_000)]
    public async Task EveryPage_Visited_LogsNoConsoleErrorOrWarning()
    {
        await WalkEveryPageAsync("light", (_, what, console) =>
        {
            // The host page's own messages. Card frames are separate documents on card origins
            // whose messages (CSP notices about their own policy) belong to the card runtime.
            Assert.True(console.Host.Count == 0, $"console on {what}:\n" + string.Join("\n", console.Host));
            foreach (var frame in console.All.Except(console.Host))
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"card frame on {what}: {frame}");
            }

            console.Clear();
            return Task.CompletedTask;
        });
    }

    /// <summary>Visits each page as a person would and runs <paramref name="check"/> once it has settled.</summary>
    private async Task WalkEveryPageAsync(string theme, Func<IPage, string, ConsoleWatch, Task> checkPage)
    {
        var scheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light;
        var shot = 0;
        async Task check(IPage page, string what, ConsoleWatch console)
        {
            await checkPage(page, what, console);
            await Ui.ScreenshotAsync(page, $"gate-{theme}-{++shot:00}-{SlugRegex().Replace(what, "-").Trim('-')}");
        }

        // Setup: only a host without accounts shows it.
        await using (var fresh = LabyrinthServer.StartNew())
        {
            var setupUrl = await fresh.SetupUrlAsync();
            var ctx = await NewContextAsync(fresh, scheme);
            try
            {
                var page = await ctx.NewPageAsync();
                var console = ConsoleWatch.Attach(page, fresh.BaseUrl);
                await page.GotoAsync(setupUrl);
                await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create the administrator" })).ToBeVisibleAsync();
                await check(page, "the setup page", console);
            }
            finally
            {
                await ctx.CloseAsync();
            }
        }

        var userName = await CreateAdminWithThemeAsync(theme);
        var context = await NewContextAsync(env.Server, scheme);
        try
        {
            var page = await context.NewPageAsync();
            var console = ConsoleWatch.Attach(page, env.Server.BaseUrl);

            await page.GotoAsync("/");
            await Expect(page).ToHaveURLAsync(Ui.LoginUrlRegex());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await check(page, "the sign-in page", console);

            await Ui.LoginAsync(page, userName, Password);
            await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
            await Ui.CreateBoardAsync(page, "Quality gate");
            foreach (var card in new[] { "hello", "note", "timer", "chatbot" })
            {
                var win = await Ui.SpawnAsync(page, card);
                await Expect(win.GetByTestId("plugin-renderer")).ToHaveAttributeAsync("data-status", "ready");
            }

            await Expect(page.Locator("[data-testid=plugin-renderer][data-status=ready]")).ToHaveCountAsync(4);
            await check(page, "a board with four open cards", console);
            var last = page.GetByTestId("window").Last;
            await last.GetByTestId("btn-permissions").ClickAsync();
            await Expect(page.GetByTestId("permissions-panel")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("permissions-signature")).ToBeVisibleAsync();
            await check(page, "a board with the permissions panel open", console);

            foreach (var (path, testId) in new[] { ("/assets", "assets-page"), ("/profile", "profile"), ("/keys", "my-keys") })
            {
                await page.GotoAsync(path);
                await Expect(page.GetByTestId(testId)).ToBeVisibleAsync();
                await SettledAsync(page);
                await check(page, path, console);
            }

            foreach (var (name, testId) in new[]
                     {
                         ("admin-plugins", "admin-plugins"), ("admin-users", "admin-users"), ("admin-secrets", "admin-secrets"),
                         ("admin-services", "admin-services"), ("admin-themes", "admin-themes"), ("admin-audit", "admin-audit"),
                         ("admin-backups", "admin-backups"),
                     })
            {
                // Through the admin layout's side navigation, as a person moves between admin pages.
                await page.GetByTestId($"side-nav-{name}").ClickAsync();
                await Expect(page.GetByTestId(testId)).ToBeVisibleAsync();
                await SettledAsync(page);
                await check(page, $"/{name.Replace('-', '/')}", console);
            }
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Tables finished loading (no "Loading…" row left).</summary>
    private static async Task SettledAsync(IPage page) =>
        await Expect(page.Locator("main td", new() { HasTextString = "Loading…" })).ToHaveCountAsync(0);

    private async Task<IBrowserContext> NewContextAsync(LabyrinthServer server, ColorScheme scheme)
    {
        var context = await env.Browser.NewContextAsync(new()
        {
            BaseURL = server.BaseUrl,
            ViewportSize = new() { Width = 1280, Height = 800 },
            ColorScheme = scheme,
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(20_000);
        return context;
    }

    /// <summary>An admin of the shared host whose own theme is Light or Dark (the shared admin's choices stay untouched).</summary>
    private async Task<string> CreateAdminWithThemeAsync(string theme)
    {
        var name = $"gate-{theme}-{Guid.NewGuid().ToString("N")[..6]}";
        var (ctx, admin) = await env.AdminPageAsync();
        try
        {
            await admin.GotoAsync("/");
            var created = await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = name, password = Password, role = "admin" });
            Assert.Equal(201, created.Status);
        }
        finally
        {
            await ctx.CloseAsync();
        }

        var userCtx = await env.NewContextAsync(env.Server);
        try
        {
            var page = await userCtx.NewPageAsync();
            await page.GotoAsync("/login");
            await Ui.LoginAsync(page, name, Password);
            await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
            var chosen = await Ui.ApiAsync(page, "PUT", "/api/me/theme", JsonSerializer.Serialize(new { themeId = theme }));
            Assert.True(chosen.Status is 200 or 204, chosen.Text);
        }
        finally
        {
            await userCtx.CloseAsync();
        }

        return name;
    }

    [System.Text.RegularExpressions.GeneratedRegex("[^a-z0-9]+")]
    private static partial System.Text.RegularExpressions.Regex SlugRegex();
}
