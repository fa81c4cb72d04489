using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>The developer overlay's CSP violations: what Chromium reported for the frames this person opened.</summary>
public sealed class DevOverlayTests(E2EEnvironment env)
{
    [Fact(Timeout = 120_000)]
    public async Task DevOverlay_CardBreaksItsCsp_ListsTheViolationsTheBrowserReported()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            // The probe tries, among other escapes, fetch (connect-src) and images from other origins (img-src).
            var win = await Ui.SpawnAsync(page, "probe");
            await Expect(win.FrameLocator("iframe").Locator("ul[data-testid=probes]")).ToHaveAttributeAsync("data-done", "true", new() { Timeout = 20_000 });

            await win.GetByTestId("card-menu").ClickAsync();
            await page.GetByTestId("card-menu-developer").ClickAsync();
            var overlay = page.GetByTestId("dev-overlay");
            var csp = overlay.GetByTestId("dev-csp");
            await Expect(csp.Locator("li[data-directive=connect-src]").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Expect(csp).ToContainTextAsync("/api/auth/me");
            await Ui.ScreenshotAsync(page, "dev-overlay-01-csp");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
