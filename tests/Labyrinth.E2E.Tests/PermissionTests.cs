using System.Text.RegularExpressions;
using Labyrinth.E2E.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// Consent, grants and revocation (CSC §7–§11) with the probe plugin's "Bridge attacker" card, which
/// requests fileRegistry:image, crossCard:pubsub and network:openai and records every host answer.
/// </summary>
public sealed partial class PermissionTests(E2EEnvironment env)
{
    private static ILocator Attack(ILocator win, string name) => win.FrameLocator("iframe").GetByTestId($"attack-{name}");

    private static async Task<string> RunAttackAsync(ILocator win, string name)
    {
        var row = Attack(win, name);
        await CardUi.EnterAsync(win);
        await row.Locator("button").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-state", "done");
        return (await row.GetAttributeAsync("data-code"))!;
    }

    private static ILocator Received(ILocator win) => win.FrameLocator("iframe").GetByTestId("probe-received");

    /// <summary>
    /// A request the host answers without side effects. Its answer proves the host handled every
    /// message the card sent before it, and delivered to the card everything queued before it (one
    /// port, in order): a barrier for "this never arrives" without waiting a guessed time.
    /// </summary>
    private static async Task RoundTripAsync(ILocator win) =>
        Assert.Equal("topic_not_declared", await RunAttackAsync(win, "subscribe-undeclared"));

    private static ILocator Panel(IPage page) => page.GetByTestId("permissions-panel");

    private static ILocator Cap(IPage page, string capability) =>
        Panel(page).Locator($"[data-testid=permission-cap][data-capability='{capability}']");

    [Fact(Timeout = 120_000)]
    public async Task Picked_asset_is_read_by_token_and_revoking_in_the_panel_kills_the_token()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");
            await Expect(Attack(win, "read-token")).ToBeVisibleAsync();

            // The card asks for an image (card-side code posting `requestAsset` on its port, as any
            // card may): the host's picker, outside the frame, lists only the person's images.
            var frame = await (await win.Locator("iframe").ElementHandleAsync())!.ContentFrameAsync();
            Assert.Equal("sent", await frame!.EvaluateAsync<string>(RequestImageScript));
            var picker = page.GetByTestId("asset-picker");
            await Expect(picker).ToBeVisibleAsync();
            var name = $"pick-{Guid.NewGuid().ToString("N")[..6]}.png";
            var png = TestFiles.Png(48, 32, 30, 140, 220);
            await picker.GetByTestId("asset-file-input").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "image/png", Buffer = png });
            var item = picker.GetByTestId("asset-picker-item").Filter(new() { HasText = name });
            await Expect(item).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "perm-01-picker");
            await item.ClickAsync();
            await Expect(picker).ToHaveCountAsync(0);

            // The pick answered the card with an opaque token; the card reads the bytes with it.
            await Expect(Received(win)).ToContainTextAsync("lab_ast_");
            var token = TokenRegex().Match(await Received(win).InnerTextAsync()).Value;
            Assert.StartsWith("lab_ast_", token, StringComparison.Ordinal);
            await win.FrameLocator("iframe").GetByTestId("attack-token").FillAsync(token);
            Assert.Equal($"ok:{png.Length}", await RunAttackAsync(win, "read-token"));

            // The panel shows the grant with its preview; revoking the capability kills the token at once.
            await win.GetByTestId("btn-permissions").ClickAsync();
            await Expect(Panel(page)).ToBeVisibleAsync();
            await Expect(Panel(page).GetByTestId("permission-asset").Filter(new() { HasText = name })).ToBeVisibleAsync();
            await Expect(Cap(page, "fileRegistry:image")).ToHaveAttributeAsync("data-granted", "true");
            await Ui.ScreenshotAsync(page, "perm-02-panel-with-asset");
            await Cap(page, "fileRegistry:image").GetByTestId("permission-revoke").ClickAsync();
            await Expect(Cap(page, "fileRegistry:image")).ToHaveAttributeAsync("data-granted", "false");
            await Expect(Panel(page).GetByTestId("permission-asset")).ToHaveCountAsync(0);
            Assert.Equal("token_invalid", await RunAttackAsync(win, "read-token"));

            // Keyboard: Esc closes the panel.
            await Panel(page).FocusAsync();
            await page.Keyboard.PressAsync("Escape");
            await Expect(Panel(page)).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Cross_card_messages_arrive_only_when_both_cards_hold_the_grant()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var receiver = await Ui.SpawnAsync(page, "attacker");
            await Ui.DragTitleAsync(page, receiver, 480, 0);
            var sender = await Ui.SpawnAsync(page, "attacker");
            await Expect(Attack(sender, "publish-declared")).ToBeVisibleAsync();

            // Subscribing without the grant is refused and asks the person once: Allow grants it.
            Assert.Equal("not_granted", await RunAttackAsync(receiver, "subscribe-declared"));
            var consent = page.GetByTestId("card-consent");
            await Expect(consent.GetByTestId("card-consent-message")).ToHaveTextAsync("Let Bridge attacker exchange messages with other cards on this board?");
            await Ui.ScreenshotAsync(page, "perm-03-crosscard-consent");
            await consent.GetByTestId("card-consent-allow").ClickAsync();
            await Expect(consent).ToHaveCountAsync(0);
            Assert.Equal("ok", await RunAttackAsync(receiver, "subscribe-declared"));

            // The sender has no grant: its publish is dropped; saying "Not now" keeps it that way.
            await RunAttackAsync(sender, "publish-declared");
            await consent.GetByTestId("card-consent-deny").ClickAsync();
            await RunAttackAsync(sender, "publish-declared");
            await RoundTripAsync(sender);
            await RoundTripAsync(receiver);
            await Expect(Received(receiver)).Not.ToContainTextAsync("\"event\"");

            // Granted from the sender's permissions panel: the next publish arrives, naming only the typeID.
            await sender.GetByTestId("btn-permissions").ClickAsync();
            await Cap(page, "crossCard:pubsub").GetByTestId("permission-allow").ClickAsync();
            await Expect(Cap(page, "crossCard:pubsub")).ToHaveAttributeAsync("data-granted", "true");
            await RunAttackAsync(sender, "publish-declared");
            await Expect(Received(receiver)).ToContainTextAsync("probe:attack:ping");
            var log = await Received(receiver).InnerTextAsync();
            Assert.DoesNotContain(await Ui.WindowIdAsync(sender), log, StringComparison.Ordinal);

            // Revoking the receiver's grant drops its subscription at once.
            await Panel(page).GetByTestId("permissions-close").ClickAsync();
            await receiver.GetByTestId("btn-permissions").ClickAsync();
            await Expect(Panel(page)).ToHaveAttributeAsync("data-window-id", await Ui.WindowIdAsync(receiver));
            await Cap(page, "crossCard:pubsub").GetByTestId("permission-revoke").ClickAsync();
            await Expect(Cap(page, "crossCard:pubsub")).ToHaveAttributeAsync("data-granted", "false");
            // The panel lies over the receiver: close it to use the card again, as a person would.
            await Panel(page).GetByTestId("permissions-close").ClickAsync();
            await Expect(Panel(page)).ToHaveCountAsync(0);
            var before = EventCount(await Received(receiver).InnerTextAsync());
            await RunAttackAsync(sender, "publish-declared");
            await RoundTripAsync(sender);
            await RoundTripAsync(receiver);
            Assert.Equal(before, EventCount(await Received(receiver).InnerTextAsync()));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Panel_lists_every_requested_capability_and_revoke_all_clears_them()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "attacker");
            await win.GetByTestId("btn-permissions").ClickAsync();
            var panel = Panel(page);
            await Expect(panel.GetByTestId("permissions-card-name")).ToHaveTextAsync("Bridge attacker");
            await Expect(panel).ToContainTextAsync("dev.labyrinth.probe");
            await Expect(panel.GetByTestId("permissions-signature")).ToBeVisibleAsync();
            await Expect(panel.GetByTestId("permission-cap")).ToHaveCountAsync(3);
            foreach (var cap in new[] { "fileRegistry:image", "crossCard:pubsub", "network:openai" })
            {
                await Expect(Cap(page, cap)).ToHaveAttributeAsync("data-granted", "false");
            }

            await Cap(page, "crossCard:pubsub").GetByTestId("permission-allow").ClickAsync();
            await Cap(page, "fileRegistry:image").GetByTestId("permission-allow").ClickAsync();
            await Expect(Cap(page, "fileRegistry:image")).ToHaveAttributeAsync("data-granted", "true");
            // The live card learned it (grantsChanged), without a reload.
            await Expect(Received(win)).ToContainTextAsync("grantsChanged");
            await Ui.ScreenshotAsync(page, "perm-04-panel");

            await panel.GetByTestId("permissions-revoke-all").ClickAsync();
            await Expect(Cap(page, "crossCard:pubsub")).ToHaveAttributeAsync("data-granted", "false");
            await Expect(Cap(page, "fileRegistry:image")).ToHaveAttributeAsync("data-granted", "false");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Runs inside the card frame: finds the card's port (the next ping) and asks for an image.</summary>
    private const string RequestImageScript = """
        () => new Promise((resolve) => {
          const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
          let port = null;
          Object.defineProperty(MessageEvent.prototype, 'data', {
            ...desc,
            get() {
              const v = desc.get.call(this);
              if (!port && typeof MessagePort !== 'undefined' && this.target instanceof MessagePort) port = this.target;
              return v;
            },
          });
          const t = setInterval(() => {
            if (!port) return;
            clearInterval(t);
            port.postMessage({ type: 'requestAsset', id: 'pick-1', assetType: 'image' });
            resolve('sent');
          }, 50);
        })
        """;

    private static int EventCount(string log) => Regex.Count(log, "\"type\":\"event\"");

    [GeneratedRegex("lab_ast_[A-Za-z0-9_-]+")]
    private static partial Regex TokenRegex();
}
