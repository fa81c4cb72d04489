using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Plugin pages as a member meets them: the Dashboard example is in the host's navigation, its
/// admin-only settings page is not, and opening that page's address shows the host's "not allowed"
/// without anything of the plugin being requested. The Clock widget's service puts a clock on the
/// dashboard; disabling the widget's plugin removes it live, and killing the dashboard removes its
/// pages live. Deep links, back/forward and the tab title work like any host page.
/// </summary>
public sealed class PluginPagesTests(E2EEnvironment env)
{
    private const string Dashboard = "dev.labyrinth.dashboard";
    private const string Clock = "dev.labyrinth.clock-widget";
    private const string Password = "member password 1";

    private static IFrameLocator PageFrame(IPage page) => page.GetByTestId("app-page-frame").FrameLocator("iframe");

    private static async Task<(IBrowserContext Context, IPage Page)> MemberAsync(E2EEnvironment env, IPage admin)
    {
        var name = "pages" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(201, (await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = name, password = Password, role = "member" })).Status);
        var context = await env.NewContextAsync(env.Server);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await Ui.LoginAsync(page, name, Password);
        await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
        return (context, page);
    }

    [Fact(Timeout = 240_000)]
    public async Task Dashboard_Member_SeesClockButNotTheAdminPage()
    {
        var (adminContext, admin) = await env.AdminPageAsync();
        IBrowserContext? memberContext = null;
        try
        {
            await admin.GotoAsync("/");
            (memberContext, var page) = await MemberAsync(env, admin);
            // Every request the member's tab makes, frames included: the admin page must cause none for its plugin code.
            var requests = new ConcurrentQueue<string>();
            page.Request += (_, r) => requests.Enqueue(r.Url);

            // The host's navigation lists the dashboard under its manifest's section, not the admin-only page.
            await page.GotoAsync("/profile");
            var nav = page.GetByTestId("side-nav");
            var entry = nav.GetByTestId($"side-nav-app-{Dashboard}");
            await Expect(entry).ToBeVisibleAsync();
            await Expect(nav).ToContainTextAsync("Apps");
            await Expect(nav.GetByTestId($"side-nav-app-{Dashboard}/settings")).ToHaveCountAsync(0);

            // The admin-only page's address: the host's "not allowed", with its own title, and no plugin code requested.
            await page.GotoAsync($"/apps/{Dashboard}/settings");
            await Expect(page.GetByTestId("app-page-not-allowed")).ToBeVisibleAsync();
            await Expect(page).ToHaveTitleAsync("Not allowed · Labyrinth");
            await Ui.ScreenshotAsync(page, "pages-01-not-allowed");

            // Then the dashboard, by its nav entry: its frame loads (the barrier: later requests come after the ones above).
            await nav.GetByTestId($"side-nav-app-{Dashboard}").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/apps/{Regex.Escape(Dashboard)}$"));
            await Expect(page).ToHaveTitleAsync("Dashboard · Dashboard · Labyrinth");
            var widget = PageFrame(page).GetByTestId("dashboard-widget");
            await Expect(widget).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Expect(widget).ToContainTextAsync("Clock");
            await Expect(widget.GetByTestId("dashboard-widget-text")).ToHaveTextAsync(new Regex(@"^\d\d:\d\d:\d\d$"));
            Assert.Contains(requests, u => u.Contains($"/cards/page/{Dashboard}/1.0.0", StringComparison.Ordinal));
            Assert.DoesNotContain(requests, u => u.Contains("pages/settings.js", StringComparison.Ordinal) || u.Contains("p=settings", StringComparison.Ordinal)
                || u.Contains("path=settings", StringComparison.Ordinal));
            await Ui.ScreenshotAsync(page, "pages-02-dashboard-with-clock");

            // Disabling the widget's plugin removes its widget from the open dashboard, without a reload.
            Assert.Equal(200, (await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{Clock}/disable", new { })).Status);
            try
            {
                await Expect(widget).ToHaveCountAsync(0, new() { Timeout = 20_000 });
                await Expect(PageFrame(page).GetByTestId("dashboard-empty")).ToBeVisibleAsync();
                await Ui.ScreenshotAsync(page, "pages-03-clock-disabled");
            }
            finally
            {
                Assert.Equal(200, (await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{Clock}/enable", new { })).Status);
            }

            // Enabled again: the widget comes back to the open page.
            await Expect(widget).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        }
        finally
        {
            if (memberContext is not null)
            {
                await memberContext.CloseAsync();
            }

            await adminContext.CloseAsync();
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task PluginPages_DeepLinkBackForwardThenKill_WorkAndVanishLive()
    {
        var (adminContext, admin) = await env.AdminPageAsync();
        IBrowserContext? memberContext = null;
        try
        {
            await admin.GotoAsync("/");
            (memberContext, var page) = await MemberAsync(env, admin);

            // A deep link straight to the page, then a host page, then back and forward.
            await page.GotoAsync($"/apps/{Dashboard}");
            await Expect(PageFrame(page).GetByTestId("dashboard-grid")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Dashboard");
            await page.GetByTestId("side-nav").GetByTestId("side-nav-running-apps").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/apps/running$"));
            await page.GoBackAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/apps/{Regex.Escape(Dashboard)}$"));
            await Expect(PageFrame(page).GetByTestId("dashboard-grid")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page).ToHaveTitleAsync("Dashboard · Dashboard · Labyrinth");
            await page.GoForwardAsync();
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Running apps");
            await page.GoBackAsync();
            await Expect(PageFrame(page).GetByTestId("dashboard-grid")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            // An admin kills the dashboard: its nav entry and its open page go at once, the address says why.
            Assert.Equal(200, (await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{Dashboard}/kill", new { reason = "E2E" })).Status);
            try
            {
                await Expect(page.GetByTestId("app-page-unavailable")).ToBeVisibleAsync();
                await Expect(page.GetByTestId("app-page-frame")).ToHaveCountAsync(0);
                await Expect(page.GetByTestId("side-nav").GetByTestId($"side-nav-app-{Dashboard}")).ToHaveCountAsync(0);
                await Expect(page).ToHaveTitleAsync("Page not available · Labyrinth");
                await Ui.ScreenshotAsync(page, "pages-04-dashboard-killed");
            }
            finally
            {
                Assert.Equal(200, (await Ui.ApiAsync(admin, "POST", $"/api/admin/plugins/{Dashboard}/unkill", new { })).Status);
            }

            // Unkilled: the entry is back without a reload.
            await Expect(page.GetByTestId("side-nav").GetByTestId($"side-nav-app-{Dashboard}")).ToBeVisibleAsync();
        }
        finally
        {
            if (memberContext is not null)
            {
                await memberContext.CloseAsync();
            }

            await adminContext.CloseAsync();
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task AdminOnlyPage_Admin_Opens()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync($"/apps/{Dashboard}/settings");
            await Expect(page.Locator("#page-title")).ToHaveTextAsync("Dashboard settings");
            await Expect(PageFrame(page).GetByTestId("dashboard-providers")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("side-nav").GetByTestId($"side-nav-app-{Dashboard}/settings")).ToHaveAttributeAsync("aria-current", "page");
            await Ui.ScreenshotAsync(page, "pages-05-admin-settings-page");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
