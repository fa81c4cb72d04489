using Labyrinth.Backup;
using Labyrinth.E2E.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>Admin → Backups as an admin uses it: download a backup from the page and see "Last backup" follow.</summary>
public sealed class BackupTests(E2EEnvironment env)
{
    [Fact(Timeout = 120_000)]
    public async Task BackupPage_Download_LastBackupUpdates()
    {
        var (context, page) = await env.AdminPageAsync();
        var folder = Directory.CreateTempSubdirectory("labyrinth-e2e-backup-").FullName;
        try
        {
            await VaultUi.OpenFromMenuAsync(page, "menu-admin-backups", "admin-backups");
            var last = page.GetByTestId("backup-last");
            await Expect(last).Not.ToContainTextAsync("Loading");
            var before = await last.InnerTextAsync();
            Assert.DoesNotContain("downloaded by", before, StringComparison.Ordinal);
            await Ui.ScreenshotAsync(page, "backup-01-before");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("backup-download").ClickAsync(), new() { Timeout = 60_000 });
            var path = Path.Combine(folder, download.SuggestedFilename);
            await download.SaveAsAsync(path);

            Assert.Matches("^labyrinth-backup-\\d{8}T\\d{6}Z\\.zip$", download.SuggestedFilename);
            await Expect(last).ToContainTextAsync("downloaded by " + E2EEnvironment.AdminUser, new() { Timeout = 30_000 });
            await Expect(last).ToContainTextAsync("just now");
            await Ui.ScreenshotAsync(page, "backup-02-after");
            var verification = await BackupVerifier.VerifyAsync(path, null, TestContext.Current.CancellationToken);
            Assert.True(verification.IsValid, string.Join("\n", verification.Problems.Select(p => p.Message)));
            Assert.True(verification.Manifest!.Counts.PluginVersions > 0, "the shared server's example plugins are in the backup");
        }
        finally
        {
            await context.CloseAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
