using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>First run on a server of its own: setup link → admin → log out → log in.</summary>
public sealed class AuthTests(E2EEnvironment env)
{
    [Fact(Timeout = 90_000)]
    public async Task FirstRunSetup_CreateAdmin_AdminLogsOutAndBackIn()
    {
        await using var server = LabyrinthServer.StartNew();
        var setupUrl = await server.SetupUrlAsync();
        Assert.Contains(server.Logs, l => l.Category == "Labyrinth.Setup" && l.Message.Contains("/setup#token=", StringComparison.Ordinal));

        var context = await env.NewContextAsync(server);
        try
        {
            var page = await context.NewPageAsync();

            // Visiting the site before setup sends the person to the setup page.
            await page.GotoAsync("/");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/setup"));

            await page.GotoAsync(setupUrl);
            await Ui.ScreenshotAsync(page, "auth-01-setup");
            // A too-short password is refused on the page before anything is sent.
            await page.Locator("input[name=userName]").FillAsync("root");
            await page.Locator("input[name=password]").FillAsync("short");
            await page.Locator("input[name=confirm]").FillAsync("short");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
            // minlength=10 on the input blocks submission natively; the person stays on the setup page.
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/setup#token="));

            await Ui.CompleteSetupAsync(page, setupUrl, "root", "a long enough secret");
            await Expect(page.GetByTestId("user-menu")).ToContainTextAsync("root");
            await Ui.ScreenshotAsync(page, "auth-02-welcome");

            await Ui.LogoutAsync(page);
            await Ui.ScreenshotAsync(page, "auth-03-login");

            // Wrong password: an error, still on /login.
            await Ui.LoginAsync(page, "root", "not the password");
            await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            await Expect(page).ToHaveURLAsync(Ui.LoginUrlRegex());
            await Ui.ScreenshotAsync(page, "auth-04-wrong-password");

            await Ui.LoginAsync(page, "root", "a long enough secret");
            await Expect(page.GetByTestId("user-menu")).ToContainTextAsync("root");

            // The setup link is single use: the API refuses it and the setup form is not offered again.
            var reuse = await Ui.ApiAsync(page, "POST", "/api/setup", new { token = await server.WaitForSetupTokenAsync(), userName = "intruder", password = "another long secret" });
            Assert.True(reuse.Status is 400 or 409, $"reused setup token answered {reuse.Status}: {reuse.Text}");
            Assert.True(reuse.Code is "setup.invalid_token" or "setup.already_done", reuse.Text);

            await Ui.LogoutAsync(page);
            await page.GotoAsync(setupUrl);
            await Expect(page).ToHaveURLAsync(Ui.LoginUrlRegex());
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" })).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "auth-05-setup-reused");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task SetupLink_Reused_PageSaysWhy()
    {
        await using var server = LabyrinthServer.StartNew();
        var setupUrl = await server.SetupUrlAsync();
        var context = await env.NewContextAsync(server);
        try
        {
            var page = await context.NewPageAsync();
            await Ui.CompleteSetupAsync(page, setupUrl, "root", "a long enough secret");
            await Ui.LogoutAsync(page);
            await page.GotoAsync(setupUrl);
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));
            await Expect(page.GetByTestId("login-notice")).ToContainTextAsync("setup link was already used");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task SignInAndBoards_ServerRestart_Survive()
    {
        var server = LabyrinthServer.StartNew();
        try
        {
            var context = await env.NewContextAsync(server);
            try
            {
                var page = await context.NewPageAsync();
                await Ui.CompleteSetupAsync(page, await server.SetupUrlAsync(), "root", "a long enough secret");
                var boardId = await Ui.CreateBoardAsync(page, "Survivor");
                var form = await Ui.SpawnAsync(page, "form");
                var id = await Ui.WindowIdAsync(form);

                server = await server.RestartAsync();
                Assert.DoesNotContain(server.Logs, l => l.Category == "Labyrinth.Setup");

                await page.ReloadAsync();
                await Expect(page.GetByTestId("board-switcher")).ToContainTextAsync("Survivor");
                await Expect(Ui.Window(page, id)).ToBeVisibleAsync();
                Assert.Contains(boardId, page.Url, StringComparison.Ordinal);
            }
            finally
            {
                await context.CloseAsync();
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
