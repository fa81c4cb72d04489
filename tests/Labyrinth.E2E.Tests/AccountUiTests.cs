using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The admin's user list (role, disable, reset, delete) and a person's profile (password,
/// personal access tokens), used through the pages as people do.
/// </summary>
public sealed partial class AccountUiTests(E2EEnvironment env)
{
    private const string Password = "member password 1";

    [Fact(Timeout = 180_000)]
    public async Task AdminUsersPage_PromoteDisableDelete_MemberSessionFollowsEachChange()
    {
        var member = "m" + Guid.NewGuid().ToString("N")[..8];
        var (adminCtx, admin) = await env.AdminPageAsync();
        IBrowserContext? memberCtx = null;
        try
        {
            await admin.GotoAsync("/");
            Assert.Equal(201, (await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = member, password = Password, role = "member" })).Status);
            memberCtx = await env.NewContextAsync(env.Server);
            var mine = await memberCtx.NewPageAsync();
            await mine.GotoAsync("/login");
            await Ui.LoginAsync(mine, member, Password);
            await Ui.CreateBoardAsync(mine, "Member's board");

            // The account menu leads to the admin area; its side navigation to Users.
            await VaultUi.OpenFromMenuAsync(admin, "menu-admin-plugins", "admin-plugins");
            await admin.GetByTestId("side-nav-admin-users").ClickAsync();
            var row = admin.Locator($"[data-testid=user-row][data-user-name='{member}']");
            await Expect(row).ToBeVisibleAsync();

            // Promote: the member's open session is an admin's at once, without signing in again.
            await row.GetByTestId("user-role").SelectOptionAsync("admin");
            await Expect(row).ToHaveAttributeAsync("data-role", "admin");
            await mine.GotoAsync("/admin/users");
            await Expect(mine.GetByTestId("admin-users")).ToBeVisibleAsync();
            await row.GetByTestId("user-role").SelectOptionAsync("member");
            await Expect(row).ToHaveAttributeAsync("data-role", "member");

            // Disable: their next request finds them signed out, and signing in says why.
            await row.GetByTestId("user-disable").ClickAsync();
            await Expect(row.GetByTestId("user-status")).ToHaveTextAsync("Disabled");
            await mine.GotoAsync("/");
            await Expect(mine).ToHaveURLAsync(Ui.LoginUrlRegex());
            await Ui.LoginAsync(mine, member, Password);
            await Expect(mine.GetByRole(AriaRole.Alert)).ToContainTextAsync("disabled");
            await Ui.ScreenshotAsync(admin, "users-01-disabled");

            await row.GetByTestId("user-enable").ClickAsync();
            await Expect(row.GetByTestId("user-status")).ToHaveTextAsync("Active");
            await Ui.LoginAsync(mine, member, Password);
            await Expect(mine.GetByTestId("user-menu")).ToBeVisibleAsync();

            // Delete: the confirm says what goes with the account.
            await row.GetByTestId("user-delete").ClickAsync();
            var dialog = AdminUi.OpenDialog(admin);
            await Expect(dialog).ToContainTextAsync("1 board");
            await Expect(dialog).ToContainTextAsync("Nothing is handed to anyone else");
            await Ui.ScreenshotAsync(admin, "users-02-delete-confirm");
            await dialog.GetByTestId("confirm-ok").ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
            await mine.ReloadAsync();
            await Expect(mine).ToHaveURLAsync(Ui.LoginUrlRegex());
            await Ui.LoginAsync(mine, member, Password);
            await Expect(mine.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong");
        }
        finally
        {
            if (memberCtx is not null)
            {
                await memberCtx.CloseAsync();
            }

            await adminCtx.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task AdminUsersPage_DemoteOnlyAdmin_RefusedAndRoleStays()
    {
        // A host of its own: the shared one may have more admins by now.
        await using var server = LabyrinthServer.StartNew();
        var ctx = await env.NewContextAsync(server);
        try
        {
            var page = await ctx.NewPageAsync();
            await Ui.CompleteSetupAsync(page, await server.SetupUrlAsync(), "solo", "the only admin here");
            await page.GotoAsync("/admin/users");
            var row = page.Locator("[data-testid=user-row][data-user-name='solo']");
            await Expect(row).ToBeVisibleAsync();

            await row.GetByTestId("user-role").SelectOptionAsync("member");

            await Expect(page.GetByText(OnlyAdminRegex())).ToBeVisibleAsync();
            await Expect(row).ToHaveAttributeAsync("data-role", "admin");
            await Expect(row.GetByTestId("user-role")).ToHaveValueAsync("admin");
            await row.GetByTestId("user-delete").ClickAsync();
            await AdminUi.OpenDialog(page).GetByTestId("confirm-ok").ClickAsync();
            await Expect(page.GetByText(OnlyAdminRegex())).ToHaveCountAsync(2);
            await Expect(row).ToBeVisibleAsync();
        }
        finally
        {
            await ctx.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ProfileTokens_CreateUseRevoke_TokenWorksUntilRevoked()
    {
        var (ctx, page) = await env.AdminPageAsync();
        await ctx.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        try
        {
            await VaultUi.OpenFromMenuAsync(page, "menu-profile", "profile");
            var name = "cli " + Guid.NewGuid().ToString("N")[..6];
            await page.GetByTestId("token-name").FillAsync(name);
            await page.GetByTestId("token-expiry").SelectOptionAsync(new SelectOptionValue { Label = "7 days" });
            await page.GetByTestId("token-submit").ClickAsync();

            var created = page.GetByTestId("token-created");
            await Expect(created).ToContainTextAsync("will not be shown again");
            var secret = await page.GetByTestId("token-secret").InputValueAsync();
            Assert.StartsWith("lab_pat_", secret);
            await page.GetByTestId("token-copy").ClickAsync();
            await Expect(page.GetByTestId("token-copy")).ToHaveTextAsync("Copied ✓");
            Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            var row = page.Locator($"[data-testid=token-row][data-token-name='{name}']");
            await Expect(row).ToContainTextAsync("Expires in 7 days");
            await Ui.ScreenshotAsync(page, "profile-01-token-created");

            using var cli = new HttpClient { BaseAddress = new Uri(env.Server.BaseUrl) };
            cli.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/boards", TestContext.Current.CancellationToken)).StatusCode);

            // Once dismissed, the secret is gone from the page for good.
            await page.GetByTestId("token-dismiss").ClickAsync();
            await Expect(page.GetByTestId("token-secret")).ToHaveCountAsync(0);
            await page.ReloadAsync();
            await Expect(row).ToContainTextAsync("Expires in 7 days");
            await Expect(page.GetByText(secret)).ToHaveCountAsync(0);

            await row.GetByTestId("token-revoke").ClickAsync();
            await AdminUi.OpenDialog(page).GetByTestId("confirm-ok").ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
            Assert.Equal(HttpStatusCode.Unauthorized, (await cli.GetAsync("/api/boards", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            await ctx.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task ProfilePassword_Change_RuleShownFirstAndNewPasswordWorks()
    {
        var member = "p" + Guid.NewGuid().ToString("N")[..8];
        const string NewPassword = "a brand new password";
        var (adminCtx, admin) = await env.AdminPageAsync();
        var ctx = await env.NewContextAsync(env.Server);
        try
        {
            await admin.GotoAsync("/");
            Assert.Equal(201, (await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = member, password = Password, role = "member" })).Status);
            var page = await ctx.NewPageAsync();
            await page.GotoAsync("/login");
            await Ui.LoginAsync(page, member, Password);
            await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
            await VaultUi.OpenFromMenuAsync(page, "menu-profile", "profile");

            var form = page.GetByTestId("password-form");
            await Expect(form).ToContainTextAsync("At least 10 characters");
            await page.GetByTestId("password-current").FillAsync("not my password");
            await page.GetByTestId("password-new").FillAsync(NewPassword);
            await page.GetByTestId("password-confirm").FillAsync(NewPassword);
            await page.GetByTestId("password-submit").ClickAsync();
            await Expect(page.GetByTestId("password-error")).ToHaveTextAsync("That is not your current password.");

            await page.GetByTestId("password-current").FillAsync(Password);
            await page.GetByTestId("password-submit").ClickAsync();
            await Expect(page.GetByTestId("password-done")).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "profile-02-password-changed");

            await Ui.LogoutAsync(page);
            await Ui.LoginAsync(page, member, Password);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong");
            await Ui.LoginAsync(page, member, NewPassword);
            await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
        }
        finally
        {
            await ctx.CloseAsync();
            await adminCtx.CloseAsync();
        }
    }

    [GeneratedRegex("only enabled administrator")]
    private static partial Regex OnlyAdminRegex();
}
