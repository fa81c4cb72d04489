using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The two ways a person gives an open card an image (CSC §7), with the probe plugin's "Bridge
/// attacker" card (requests fileRegistry:image): dropping a file on the card (`pushAsset`,
/// `onAssetPushed`) and the card's "Pick an image" button through the host's picker. The card
/// shows the byte count it read with the token, so the grant is proven end to end.
/// </summary>
public sealed class PushAssetTests(E2EEnvironment env)
{
    private static ILocator InCard(ILocator win, string testId) => win.FrameLocator("iframe").GetByTestId(testId);

    private static ILocator Panel(IPage page) => page.GetByTestId("permissions-panel");

    /// <summary>
    /// Runs in the page: a DataTransfer holding one File made from the given bytes, as the browser
    /// builds for an OS file drag (Playwright cannot drag real files from outside the page).
    /// </summary>
    private const string DataTransferScript = """
        ([bytes, name]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
          return dt;
        }
        """;

    [Fact(Timeout = 120_000)]
    public async Task DropPng_OnOpenAttackerCard_CardReadsPushedAssetAndPanelListsIt()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");
            // Mounted: the card's onAssetPushed listener exists before anything is dropped.
            await Expect(InCard(win, "attacker-pushed")).ToHaveAttributeAsync("data-state", "idle");

            var name = $"drop-{Guid.NewGuid().ToString("N")[..6]}.png";
            var png = TestFiles.Png(40, 24, 200, 60, 20);
            var dt = await page.EvaluateHandleAsync(DataTransferScript, new object[] { png.Select(b => (int)b).ToArray(), name });

            // The board listens for dragenter on window (it bubbles there from the card), then shows
            // a drop zone over the frame; the frame itself would swallow the drop.
            await win.DispatchEventAsync("dragenter", new { dataTransfer = dt });
            var zone = win.GetByTestId("card-drop-zone");
            await Expect(zone).ToBeVisibleAsync();
            await zone.DispatchEventAsync("dragover", new { dataTransfer = dt });
            await zone.DispatchEventAsync("drop", new { dataTransfer = dt });
            await Expect(zone).ToHaveCountAsync(0);

            var pushed = InCard(win, "attacker-pushed");
            await Expect(pushed).ToHaveAttributeAsync("data-state", "done");
            await Expect(pushed).ToHaveTextAsync($"pushed: {name} {png.Length} bytes");
            await Expect(pushed).ToHaveAttributeAsync("data-code", "ok");
            await Ui.ScreenshotAsync(page, "push-01-dropped");

            // The drop was a grant: the panel shows the capability and the asset by name.
            await win.GetByTestId("btn-permissions").ClickAsync();
            await Expect(Panel(page)).ToBeVisibleAsync();
            await Expect(Panel(page).GetByTestId("permission-asset").Filter(new() { HasText = name })).ToBeVisibleAsync();
            await Expect(Panel(page).Locator("[data-testid=permission-cap][data-capability='fileRegistry:image']"))
                .ToHaveAttributeAsync("data-granted", "true");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task PickAnImage_ThroughHostPicker_CardReadsPickedBytes()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");

            await InCard(win, "attacker-pick").ClickAsync();
            var picker = page.GetByTestId("asset-picker");
            await Expect(picker).ToBeVisibleAsync();
            var name = $"pick-{Guid.NewGuid().ToString("N")[..6]}.png";
            var png = TestFiles.Png(32, 48, 20, 160, 90);
            await picker.GetByTestId("asset-file-input").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "image/png", Buffer = png });
            var item = picker.GetByTestId("asset-picker-item").Filter(new() { HasText = name });
            await Expect(item).ToBeVisibleAsync();
            await item.ClickAsync();
            await Expect(picker).ToHaveCountAsync(0);

            var picked = InCard(win, "attacker-picked");
            await Expect(picked).ToHaveAttributeAsync("data-state", "done");
            await Expect(picked).ToHaveTextAsync($"picked: {name} {png.Length} bytes");
            // Picking is not a push: the drop row stays untouched.
            await Expect(InCard(win, "attacker-pushed")).ToHaveAttributeAsync("data-state", "idle");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
