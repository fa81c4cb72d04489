using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>The Assets library (File Registry, CSC §8) as a person uses it.</summary>
public sealed class AssetTests(E2EEnvironment env)
{
    [Fact(Timeout = 90_000)]
    public async Task AssetsPage_UploadFilterDelete_PreviewsAndRefusesUnknownFiles()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await page.GotoAsync("/");
            await page.GetByTestId("nav-assets").ClickAsync();
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/assets$"));
            await Expect(page.GetByTestId("assets-page")).ToBeVisibleAsync();

            var suffix = Guid.NewGuid().ToString("N")[..6];
            await page.GetByTestId("asset-file-input").SetInputFilesAsync(new[]
            {
                new FilePayload { Name = $"sunset-{suffix}.png", MimeType = "image/png", Buffer = TestFiles.Png(64, 40, 240, 120, 40) },
                new FilePayload { Name = $"notes-{suffix}.txt", MimeType = "text/plain", Buffer = TestFiles.Text("Ship the canvas on Friday.") },
            });

            var png = page.GetByTestId("asset-item").Filter(new() { HasText = $"sunset-{suffix}.png" });
            var txt = page.GetByTestId("asset-item").Filter(new() { HasText = $"notes-{suffix}.txt" });
            await Expect(png).ToHaveAttributeAsync("data-type", "image");
            await Expect(txt).ToHaveAttributeAsync("data-type", "text");
            var preview = png.Locator("img");
            await Eventually.TrueAsync(async () => await preview.EvaluateAsync<int>("img => img.naturalWidth") == 64, "image preview loaded");

            // The server decides the type from the bytes: binary junk is refused with its sentence.
            await page.GetByTestId("asset-file-input").SetInputFilesAsync(new FilePayload
            {
                Name = "junk.png",
                MimeType = "image/png",
                Buffer = [0x00, 0x01, 0x02, 0x00, 0xFF, 0x00],
            });
            var error = page.GetByTestId("asset-upload-error");
            await Expect(error).ToBeVisibleAsync();
            Assert.False(string.IsNullOrWhiteSpace(await error.InnerTextAsync()));
            await Ui.ScreenshotAsync(page, "assets-01-library");

            await page.GetByTestId("asset-filter").SelectOptionAsync("image");
            await Expect(txt).ToHaveCountAsync(0);
            await Expect(png).ToHaveCountAsync(1);

            await png.GetByTestId("asset-delete").ClickAsync();
            var dialog = page.Locator("dialog[open]");
            await Expect(dialog).ToContainTextAsync($"sunset-{suffix}.png");
            await dialog.GetByTestId("confirm-ok").ClickAsync();
            await Expect(png).ToHaveCountAsync(0);

            // Gone on the server too.
            await page.ReloadAsync();
            await Expect(page.GetByTestId("asset-item").Filter(new() { HasText = $"notes-{suffix}.txt" })).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("asset-item").Filter(new() { HasText = $"sunset-{suffix}.png" })).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
