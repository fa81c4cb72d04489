using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The vault pages as an admin and a member use them: secrets are write-only in the UI
/// (never in the page, storage or any answer after they are typed), services are defined with
/// every field, and people keep their own keys.
/// </summary>
public sealed class VaultTests(E2EEnvironment env)
{
    /// <summary>A new service with a unique id, created through the form (so each test has its own).</summary>
    private static async Task<string> CreateServiceAsync(IPage page, string baseUrl = "https://llm.example.com/v1")
    {
        var id = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        await VaultUi.OpenServicesAsync(page);
        await page.GetByTestId("service-new").ClickAsync();
        var form = page.GetByTestId("service-form");
        await form.GetByTestId("service-id").FillAsync(id);
        await form.GetByTestId("service-display-name").FillAsync("Example LLM " + id);
        await form.GetByTestId("service-base-url").FillAsync(baseUrl);
        await form.GetByTestId("service-prefix").First.FillAsync("/chat/completions");
        await form.GetByTestId("service-save").ClickAsync();
        await Expect(form).ToHaveCountAsync(0);
        await Expect(VaultUi.ServiceRow(page, id)).ToHaveAttributeAsync("data-configured", "false");
        return id;
    }

    [Fact(Timeout = 90_000)]
    public async Task SecretsList_Shown_NeverShowsTheValue()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var serviceId = await CreateServiceAsync(page);
            var value = "sk-vault-" + Guid.NewGuid().ToString("N");

            await VaultUi.OpenFromMenuAsync(page, "menu-admin-secrets", "admin-secrets");
            await VaultUi.StoreSecretAsync(page, serviceId, "Example key", value);
            var row = VaultUi.SecretRow(page, serviceId);
            await Expect(row.GetByTestId("secret-last4")).ToHaveTextAsync("••••" + value[^4..]);
            await Ui.ScreenshotAsync(page, "vault-01-secrets");

            // Not in the page, not in the password box, not in storage, not in the list API.
            Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);
            var inputs = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('input, textarea')].map(i => i.value).join('\\n')");
            Assert.DoesNotContain(value, inputs, StringComparison.Ordinal);
            var storage = await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)");
            Assert.DoesNotContain(value, storage, StringComparison.Ordinal);
            Assert.DoesNotContain(value[^12..], page.Url, StringComparison.Ordinal);
            var list = await Ui.ApiAsync(page, "GET", "/api/admin/secrets");
            Assert.Equal(200, list.Status);
            Assert.Contains(value[^4..], list.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(value, list.Text, StringComparison.Ordinal);

            // After a reload the same: only the last four characters.
            await page.ReloadAsync();
            await Expect(row.GetByTestId("secret-last4")).ToHaveTextAsync("••••" + value[^4..]);
            Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);

            // The service now counts as configured.
            await VaultUi.OpenServicesAsync(page);
            await Expect(VaultUi.ServiceRow(page, serviceId)).ToHaveAttributeAsync("data-configured", "true");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Secret_ReplacedThenDeleted_ShowsNewLastFourThenServiceUnconfigured()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            var serviceId = await CreateServiceAsync(page);
            var first = "sk-first-" + Guid.NewGuid().ToString("N");
            var second = "sk-second-" + Guid.NewGuid().ToString("N");
            await VaultUi.OpenSecretsAsync(page);
            await VaultUi.StoreSecretAsync(page, serviceId, "Rotating key", first);
            var row = VaultUi.SecretRow(page, serviceId);

            await row.GetByTestId("secret-rotate").ClickAsync();
            var dialog = page.GetByTestId("rotate-dialog");
            await dialog.GetByTestId("rotate-value").FillAsync(second);
            await dialog.GetByTestId("rotate-save").ClickAsync();
            await Expect(row.GetByTestId("secret-last4")).ToHaveTextAsync("••••" + second[^4..]);
            var html = await page.ContentAsync();
            Assert.DoesNotContain(first, html, StringComparison.Ordinal);
            Assert.DoesNotContain(second, html, StringComparison.Ordinal);

            await row.GetByTestId("secret-delete").ClickAsync();
            await AdminUi.ConfirmAsync(page);
            await Expect(row).ToHaveCountAsync(0);
            await VaultUi.OpenServicesAsync(page);
            await Expect(VaultUi.ServiceRow(page, serviceId)).ToHaveAttributeAsync("data-configured", "false");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task ServiceForm_BadFields_ExplainedInPlaceAndPrivateNetworksWarned()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await VaultUi.OpenServicesAsync(page);
            await page.GetByTestId("service-new").ClickAsync();
            var form = page.GetByTestId("service-form");
            await form.GetByTestId("service-id").FillAsync("e2e-bad-" + Guid.NewGuid().ToString("N")[..6]);
            await form.GetByTestId("service-display-name").FillAsync("Bad");
            await form.GetByTestId("service-base-url").FillAsync("https://user:pw@example.com/v1?key=1");
            await form.GetByTestId("service-secret-template").FillAsync("Bearer");
            await Expect(form.GetByTestId("private-network-warning")).ToHaveCountAsync(0);
            await form.GetByTestId("service-private-network").CheckAsync();
            await Expect(form.GetByTestId("private-network-warning")).ToBeVisibleAsync();
            await form.GetByTestId("service-save").ClickAsync();

            await Expect(form.GetByTestId("field-error-baseUrl")).ToBeVisibleAsync();
            await Expect(form.GetByTestId("field-error-secret.template")).ToContainTextAsync("{secret}");
            await Expect(form.GetByTestId("service-base-url")).ToHaveAttributeAsync("aria-invalid", "true");
            await Ui.ScreenshotAsync(page, "vault-02-service-form");
            // Nothing was saved.
            await Expect(form).ToBeVisibleAsync();
            var list = await Ui.ApiAsync(page, "GET", "/api/admin/services");
            Assert.DoesNotContain("user:pw", list.Text, StringComparison.Ordinal);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task MemberSecret_Stored_AdminsSeeOnlyMetadata()
    {
        var (context, page) = await env.AdminPageAsync();
        IBrowserContext? memberCtx = null;
        try
        {
            var serviceId = await CreateServiceAsync(page);
            var member = "keys" + Guid.NewGuid().ToString("N")[..6];
            Assert.Equal(201, (await Ui.ApiAsync(page, "POST", "/api/admin/users", new { userName = member, password = "a long enough secret", role = "member" })).Status);

            memberCtx = await env.NewContextAsync(env.Server);
            var mine = await memberCtx.NewPageAsync();
            await mine.GotoAsync("/");
            await Ui.LoginAsync(mine, member, "a long enough secret");
            await Expect(mine.GetByTestId("user-menu")).ToBeVisibleAsync();
            await VaultUi.OpenFromMenuAsync(mine, "menu-my-keys", "my-keys");
            var value = "sk-mine-" + Guid.NewGuid().ToString("N");
            await VaultUi.StoreSecretAsync(mine, serviceId, "My key", value);
            await Expect(VaultUi.SecretRow(mine, serviceId).GetByTestId("secret-last4")).ToHaveTextAsync("••••" + value[^4..]);
            Assert.DoesNotContain(value, await mine.ContentAsync(), StringComparison.Ordinal);
            await Ui.ScreenshotAsync(mine, "vault-03-my-keys");

            // The admin sees that the member has a key for the service, never the value, and cannot change it.
            await VaultUi.OpenSecretsAsync(page);
            var row = VaultUi.SecretRow(page, serviceId);
            await Expect(row).ToContainTextAsync("User: " + member);
            await Expect(row.GetByTestId("secret-rotate")).ToHaveCountAsync(0);
            Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);
        }
        finally
        {
            if (memberCtx is not null)
            {
                await memberCtx.CloseAsync();
            }

            await context.CloseAsync();
        }
    }
}
