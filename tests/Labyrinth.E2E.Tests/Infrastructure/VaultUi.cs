using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>Small steps on the Secrets, Network services and My keys pages, as an admin or a member does them.</summary>
public static class VaultUi
{
    public static ILocator ServiceRow(IPage page, string id) => page.Locator($"[data-testid=service-row][data-service-id='{id}']");

    public static ILocator SecretRow(IPage page, string serviceId) => page.Locator($"[data-testid=secret-row][data-service-id='{serviceId}']");

    /// <summary>Opens a page from the account menu, like a person.</summary>
    public static async Task OpenFromMenuAsync(IPage page, string menuTestId, string pageTestId)
    {
        if (!await page.GetByTestId("user-menu").IsVisibleAsync())
        {
            await page.GotoAsync("/");
        }

        await page.GetByTestId("user-menu").ClickAsync();
        await page.GetByTestId(menuTestId).ClickAsync();
        await Expect(page.GetByTestId(pageTestId)).ToBeVisibleAsync();
    }

    public static async Task OpenServicesAsync(IPage page)
    {
        await page.GotoAsync("/admin/services");
        await Expect(page.GetByTestId("admin-services")).ToBeVisibleAsync();
    }

    public static async Task OpenSecretsAsync(IPage page)
    {
        await page.GotoAsync("/admin/secrets");
        await Expect(page.GetByTestId("admin-secrets")).ToBeVisibleAsync();
    }

    /// <summary>Edits a service's base URL (and private-network flag) through the form and saves.</summary>
    public static async Task EditServiceAsync(IPage page, string id, string baseUrl, bool allowPrivateNetwork)
    {
        await ServiceRow(page, id).GetByTestId("service-edit").ClickAsync();
        var form = page.GetByTestId("service-form");
        await Expect(form).ToBeVisibleAsync();
        await form.GetByTestId("service-base-url").FillAsync(baseUrl);
        var box = form.GetByTestId("service-private-network");
        if (await box.IsCheckedAsync() != allowPrivateNetwork)
        {
            await box.ClickAsync();
        }

        await form.GetByTestId("service-save").ClickAsync();
        await Expect(form).ToHaveCountAsync(0);
        await Expect(ServiceRow(page, id)).ToContainTextAsync(baseUrl);
    }

    /// <summary>Stores a key through the secret form (service picked from the list, value typed in the password box).</summary>
    public static async Task StoreSecretAsync(IPage page, string serviceId, string name, string value)
    {
        var form = page.GetByTestId("secret-form");
        await form.GetByTestId("secret-service").SelectOptionAsync(serviceId);
        await form.GetByTestId("secret-name").FillAsync(name);
        await form.GetByTestId("secret-value").FillAsync(value);
        await form.GetByTestId("secret-save").ClickAsync();
        await Expect(SecretRow(page, serviceId)).ToBeVisibleAsync();
    }

    /// <summary>Flips the enabled switch of a service and waits for the saved state.</summary>
    public static async Task SetEnabledAsync(IPage page, string id, bool enabled)
    {
        var row = ServiceRow(page, id);
        if (await row.GetAttributeAsync("data-enabled") != (enabled ? "true" : "false"))
        {
            await row.GetByTestId("service-toggle").ClickAsync();
        }

        await Expect(row).ToHaveAttributeAsync("data-enabled", enabled ? "true" : "false");
    }
}
