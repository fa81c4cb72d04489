using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// App plugins as a person meets them: the World clock card calls the Time zones plugin's API;
/// the host starts that plugin's background service in a hidden frame of the tab, which answers;
/// a refused input shows its pointer; a kill stops the service at once and the card learns why.
/// </summary>
public sealed class AppServiceTests(E2EEnvironment env)
{
    private const string Provider = "dev.labyrinth.timezones";

    private static IFrameLocator Card(ILocator win) => win.FrameLocator("iframe");

    [Fact(Timeout = 240_000)]
    public async Task AppService_CardCallsApiThenKill_AnswersThenStopsAtOnce()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var windowId = await CardUi.SpawnViaApiAsync(page, boardId, "dev.labyrinth.world-clock", "world-clock", "World clock");
            await page.ReloadAsync();
            var win = Ui.Window(page, windowId);

            // The first call asks the person; the service starts only once they allow it.
            var dialog = page.GetByTestId("card-consent");
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog).ToContainTextAsync("Time zones");
            await Expect(page.Locator("#lab-service-frames iframe")).ToHaveCountAsync(0);
            await dialog.GetByTestId("card-consent-allow").ClickAsync();

            var times = Card(win).GetByTestId("clock-time");
            await Expect(times).ToHaveCountAsync(3);
            await Expect(times.Nth(1)).ToHaveAttributeAsync("data-zone", "Asia/Tokyo");
            await Expect(times.Nth(1)).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d\d:\d\d:\d\d"));
            await Expect(Card(win).GetByTestId("clock-status")).ToHaveAttributeAsync("data-code", "ok");
            // One hidden service frame, on the provider's own card origin, with the card sandbox.
            var serviceFrame = page.Locator("#lab-service-frames iframe");
            await Expect(serviceFrame).ToHaveCountAsync(1);
            await Expect(serviceFrame).ToHaveAttributeAsync("sandbox", "allow-scripts");
            await Expect(serviceFrame).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("/cards/service/dev.labyrinth.timezones/1.0.0/main$"));
            await Ui.ScreenshotAsync(page, "apps-01-world-clock");

            // A zone outside the provider's schema is refused by the host page with its pointer; the provider never sees it.
            await CardUi.EnterAsync(win);
            await Card(win).GetByTestId("clock-zone").FillAsync("Mars/Olympus_Mons");
            await Card(win).GetByTestId("clock-add").ClickAsync();
            var status = Card(win).GetByTestId("clock-status");
            await Expect(status).ToHaveAttributeAsync("data-code", "api.invalid_input");
            await Expect(status).ToContainTextAsync("/zones/3");

            // What runs, for whom: Running apps in another tab of the same person; Stop ends it in the
            // board's tab, and the clock's next call starts it again.
            var panel = await context.NewPageAsync();
            await panel.GotoAsync("/apps/running");
            var row = panel.Locator($"[data-testid=running-row][data-plugin-id='{Provider}']");
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row).ToContainTextAsync("main");
            await Ui.ScreenshotAsync(panel, "apps-02-running-apps");
            var since = (await row.GetAttributeAsync("data-since"))!;
            await row.GetByTestId("running-stop").ClickAsync();
            // Stopped in the board's tab, then started afresh by the clock's next call: a new service since then.
            await Expect(row).Not.ToHaveAttributeAsync("data-since", since, new() { Timeout = 30_000 });
            await Expect(serviceFrame).ToHaveCountAsync(1);
            await Expect(Card(win).GetByTestId("clock-status")).ToHaveAttributeAsync("data-code", new System.Text.RegularExpressions.Regex("ok|api.invalid_input"));

            // The admin's view of the provider: its API documented from the manifest, and its log.
            await panel.GotoAsync("/admin/plugins");
            await AdminUi.PluginRow(panel, Provider).GetByTestId("plugin-versions").ClickAsync();
            var app = panel.Locator($"[data-testid=plugin-app][data-plugin-id='{Provider}']");
            await Expect(app.Locator("[data-testid=api-method][data-method=formatTimes]")).ToBeVisibleAsync();
            await Expect(app.GetByTestId("plugin-log")).ToContainTextAsync("Time zones service started");
            await Ui.ScreenshotAsync(panel, "apps-03-admin-api-and-log");
            await panel.CloseAsync();

            // An admin kills the provider: its frame goes at once and the card's next call says why.
            Assert.Equal(200, (await Ui.ApiAsync(page, "POST", $"/api/admin/plugins/{Provider}/kill", new { reason = "E2E" })).Status);
            try
            {
                await Expect(serviceFrame).ToHaveCountAsync(0);
                await Expect(status).ToHaveAttributeAsync("data-code", "api.provider_unavailable");
                var after = await Ui.ApiAsync(page, "GET", "/api/apps/running");
                Assert.DoesNotContain(Provider, after.Text, StringComparison.Ordinal);
                await Ui.ScreenshotAsync(page, "apps-04-provider-killed");
            }
            finally
            {
                Assert.Equal(200, (await Ui.ApiAsync(page, "POST", $"/api/admin/plugins/{Provider}/unkill", new { })).Status);
            }
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
