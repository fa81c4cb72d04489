using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Plugin settings and storage as people meet them: an admin changes a setting in the form drawn
/// from the plugin's configSchema and an open card shows it without a reload; a note kept in the
/// plugin's storage survives a reload; filling the storage shows the quota error.
/// </summary>
public sealed class PluginConfigStorageTests(E2EEnvironment env)
{
    private const string Probe = "dev.labyrinth.probe";

    private static IFrameLocator Card(ILocator win) => win.FrameLocator("iframe");

    private static async Task AllowAsync(IPage page)
    {
        var dialog = page.GetByTestId("card-consent");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId("card-consent-allow").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
    }

    [Fact(Timeout = 240_000)]
    public async Task AdminSetting_Saved_ReachesOpenCardAndStoredNoteSurvivesReload()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var boardId = await Ui.CreateBoardAsync(page);
            var windowId = await CardUi.SpawnViaApiAsync(page, boardId, Probe, "settings", "Settings probe");
            await page.ReloadAsync();
            var win = Ui.Window(page, windowId);
            var greeting = Card(win).GetByTestId("settings-greeting");
            await Expect(greeting).ToHaveTextAsync("Hello");

            // Reading its storage asks the person once.
            await AllowAsync(page);
            await Expect(Card(win).GetByTestId("settings-note")).ToHaveTextAsync("(no note)");

            // The admin changes the greeting in the generated form, in another tab.
            var admin = await context.NewPageAsync();
            await AdminUi.OpenAsync(admin);
            await AdminUi.PluginRow(admin, Probe).GetByTestId("plugin-versions").ClickAsync();
            var settings = admin.Locator($"[data-testid=plugin-settings][data-plugin-id='{Probe}']");
            var field = settings.GetByLabel("Greeting");
            await Expect(field).ToHaveValueAsync("Hello");
            await Expect(settings).ToContainTextAsync("What the settings probe shows.");
            // The server checks every field and its sentence shows beside the field; nothing is saved.
            await field.FillAsync("Bonjour");
            await settings.GetByLabel("Repeat").FillAsync("9");
            await settings.GetByTestId("settings-save").ClickAsync();
            await Expect(settings.Locator("[data-testid=setting][data-pointer='/repeat'] [data-testid=setting-error]")).ToContainTextAsync("largest value allowed is 5");
            await Expect(greeting).ToHaveTextAsync("Hello");
            await settings.GetByLabel("Repeat").FillAsync("2");
            await settings.GetByLabel("Token").FillAsync("s3cret-token");
            await settings.GetByTestId("settings-save").ClickAsync();
            await Expect(settings.GetByTestId("settings-saved")).ToBeVisibleAsync();
            await Expect(settings.GetByLabel("Token")).ToHaveAttributeAsync("placeholder", "Set (type to replace)");
            await Expect(settings.GetByLabel("Token")).ToHaveValueAsync("");
            await Ui.ScreenshotAsync(admin, "config-01-settings-form");

            // The open card hears it live: no reload.
            await Expect(greeting).ToHaveTextAsync("Bonjour");
            await Expect(greeting).ToHaveAttributeAsync("data-changes", "1");
            Assert.DoesNotContain("s3cret-token", await Card(win).Locator("body").InnerTextAsync(), StringComparison.Ordinal);

            // A note kept in the plugin's storage (writing asks once more) survives a reload.
            await CardUi.EnterAsync(win);
            await Card(win).GetByTestId("settings-input").FillAsync("remember me");
            await Card(win).GetByTestId("settings-save-note").ClickAsync();
            await AllowAsync(page);
            await Expect(Card(win).GetByTestId("settings-note")).ToHaveTextAsync("remember me");

            // Filling the storage ends in the quota's error, which the card shows.
            await CardUi.EnterAsync(win);
            await Card(win).GetByTestId("settings-fill").ClickAsync();
            await Expect(Card(win).GetByTestId("settings-error")).ToHaveAttributeAsync("data-code", "storage.quota_exceeded", new() { Timeout = 60_000 });
            await Ui.ScreenshotAsync(page, "config-02-card-settings-and-quota");

            await page.ReloadAsync();
            await Expect(Card(win).GetByTestId("settings-greeting")).ToHaveTextAsync("Bonjour");
            await Expect(Card(win).GetByTestId("settings-note")).ToHaveTextAsync("remember me");
            await Expect(page.GetByTestId("card-consent")).ToHaveCountAsync(0);

            // The admin sees what the plugin stores.
            await admin.ReloadAsync();
            await AdminUi.PluginRow(admin, Probe).GetByTestId("plugin-versions").ClickAsync();
            await Expect(admin.GetByTestId("plugin-storage-usage")).ToBeVisibleAsync();
            await admin.CloseAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
