using Labyrinth.E2E.Tests.Infrastructure;
using Labyrinth.FakeUpstream;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// End to end: an admin stores the OpenAI key and points the `openai` service at a fake
/// OpenAI-compatible server; a member opens the chatbot, allows it, and sees the reply stream in
/// token by token; the key reached the upstream and never the card (nor the probe's attacker
/// card, which records every message it gets); a revoke stops the next request on the server and
/// the card says so. Runs on a host of its own (it changes the
/// shipped `openai` service).
/// </summary>
public sealed class ChatbotTests(E2EEnvironment env)
{
    private const string Member = "chatter";
    private const string MemberPassword = "a long enough secret";

    private const string Reply = "Hello from the fake upstream! You said: Say hello";

    private const string RevokedMessage = "Access to OpenAI was revoked for this card. Allow it again from the card's permissions.";

    /// <summary>
    /// Records, in every card frame, each message its code reads from the port (like the probe
    /// plugin does), so the test can read everything the host ever sent the card.
    /// </summary>
    private const string RecordPortMessages = """
        (() => {
          if (!/^\/cap\/[^/]+\/cards\/frame\//.test(location.pathname)) return;
          const seen = [];
          Object.defineProperty(window, '__labReceived', { value: seen });
          const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
          Object.defineProperty(MessageEvent.prototype, 'data', {
            ...desc,
            get() {
              const v = desc.get.call(this);
              try { seen.push(JSON.stringify(v)); } catch { seen.push(String(v)); }
              return v;
            },
          });
        })();
        """;

    /// <summary>Keeps every distinct text the last assistant message had, to prove tokens arrive one by one.</summary>
    private const string WatchReply = """
        () => {
          const seen = (window.__labReplies = []);
          const list = document.querySelector('[data-testid=chat-messages]');
          new MutationObserver(() => {
            const r = [...document.querySelectorAll('[data-testid=chat-message][data-role=assistant] p')].pop();
            if (!r) return;
            const t = r.textContent.replace('▍', '');
            if (t && seen[seen.length - 1] !== t) seen.push(t);
          }).observe(list, { subtree: true, childList: true, characterData: true });
        }
        """;

    [Fact(Timeout = 180_000)]
    public async Task Chatbot_KeyStoredAndGranted_StreamsReplyWithoutSeeingKeyUntilRevoked()
    {
        var key = "sk-e2e-" + Guid.NewGuid().ToString("N");
        await using var fake = await FakeUpstreamServer.StartAsync(key);
        fake.State.ChunkDelay = TimeSpan.FromMilliseconds(200); // slow enough to see every token land
        await using var server = LabyrinthServer.StartNew();
        var adminCtx = await env.NewContextAsync(server);
        IBrowserContext? memberCtx = null;
        try
        {
            // The admin: first run, then the openai service pointed at the fake, its key, enabled.
            var admin = await adminCtx.NewPageAsync();
            await Ui.CompleteSetupAsync(admin, await server.SetupUrlAsync(), E2EEnvironment.AdminUser, E2EEnvironment.AdminPassword);
            await VaultUi.OpenFromMenuAsync(admin, "menu-admin-services", "admin-services");
            var openai = VaultUi.ServiceRow(admin, "openai");
            await Expect(openai).ToHaveAttributeAsync("data-enabled", "false");
            await Expect(openai).ToHaveAttributeAsync("data-configured", "false");
            await VaultUi.EditServiceAsync(admin, "openai", fake.BaseUrl, allowPrivateNetwork: true);

            await VaultUi.OpenFromMenuAsync(admin, "menu-admin-secrets", "admin-secrets");
            await VaultUi.StoreSecretAsync(admin, "openai", "OpenAI key", key);
            await Expect(VaultUi.SecretRow(admin, "openai").GetByTestId("secret-last4")).ToHaveTextAsync("••••" + key[^4..]);
            Assert.DoesNotContain(key, await admin.ContentAsync(), StringComparison.Ordinal);

            await VaultUi.OpenServicesAsync(admin);
            await Expect(openai).ToHaveAttributeAsync("data-configured", "true");
            await VaultUi.SetEnabledAsync(admin, "openai", enabled: true);
            await Ui.ScreenshotAsync(admin, "chatbot-01-services");
            Assert.Equal(201, (await Ui.ApiAsync(admin, "POST", "/api/admin/users", new { userName = Member, password = MemberPassword, role = "member" })).Status);

            // The member: a board with a chatbot card; every frame records what it receives.
            memberCtx = await env.NewContextAsync(server);
            await memberCtx.AddInitScriptAsync(RecordPortMessages);
            var page = await memberCtx.NewPageAsync();
            await page.GotoAsync("/");
            await Ui.LoginAsync(page, Member, MemberPassword);
            await Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
            var boardId = await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "chatbot");
            var windowId = await Ui.WindowIdAsync(win);
            var card = win.FrameLocator("iframe");
            await Expect(card.GetByTestId("chat-input")).ToBeVisibleAsync();
            var frame = await ChatFrameAsync(win);
            await frame.EvaluateAsync(WatchReply);

            // First send: the host asks; Allow; the reply streams in.
            await card.GetByTestId("chat-input").FillAsync("Say hello");
            await card.GetByTestId("chat-send").ClickAsync();
            await Expect(page.GetByTestId("card-consent-message")).ToContainTextAsync("OpenAI");
            await Ui.ScreenshotAsync(page, "chatbot-02-consent");
            await page.GetByTestId("card-consent-allow").ClickAsync();
            var reply = card.Locator("[data-testid=chat-message][data-role=assistant] p").Last;
            await Expect(reply).ToHaveTextAsync(Reply, new() { Timeout = 20_000 });
            await Expect(card.GetByTestId("chat-send")).ToBeVisibleAsync();
            await Ui.ScreenshotAsync(page, "chatbot-03-reply");

            var seen = await frame.EvaluateAsync<string[]>("() => window.__labReplies");
            var partial = seen.Where(t => t.Length < Reply.Length && Reply.StartsWith(t, StringComparison.Ordinal)).ToList();
            Assert.True(partial.Count >= 2, "the reply did not arrive token by token; texts seen: " + string.Join(" | ", seen));

            // The upstream got the key and the conversation; the card got the tokens but never the key.
            Assert.Equal(["/v1/chat/completions"], fake.State.Paths.ToArray());
            Assert.Equal("Bearer " + key, fake.State.LastHeaders["authorization"]);

            var received = string.Join("\n", await frame.EvaluateAsync<string[]>("() => window.__labReceived"));
            Assert.Contains("networkChunk", received, StringComparison.Ordinal);
            Assert.Contains("upstream!", received, StringComparison.Ordinal);
            Assert.DoesNotContain(key, received, StringComparison.Ordinal);
            Assert.DoesNotContain(key[^12..], received, StringComparison.Ordinal);
            Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

            // The conversation is the card's state: it survives a reload.
            await Ui.WaitForPayloadAsync(page, boardId, windowId, p => p.Contains("You said: Say hello", StringComparison.Ordinal), "the conversation");

            // The permissions panel shows the grant and the request; Revoke.
            await win.GetByTestId("btn-permissions").ClickAsync();
            var panel = page.GetByTestId("permissions-panel");
            var cap = panel.Locator("[data-testid=permission-cap][data-capability='network:openai']");
            await Expect(cap).ToHaveAttributeAsync("data-granted", "true");
            await Expect(panel.GetByTestId("permission-network-log")).ToContainTextAsync("/chat/completions");
            await Ui.ScreenshotAsync(page, "chatbot-04-permissions");
            await cap.GetByTestId("permission-revoke").ClickAsync();
            await Expect(cap).ToHaveAttributeAsync("data-granted", "false");
            await panel.GetByTestId("permissions-close").ClickAsync();

            // The server refuses the card now, whatever the page does.
            var direct = await Ui.ApiAsync(page, "POST", $"/api/cards/{boardId}/{windowId}/network/openai",
                new { method = "POST", path = "/chat/completions", headers = new Dictionary<string, string> { ["content-type"] = "application/json" }, body = "{}", stream = true });
            Assert.Equal(403, direct.Status);
            Assert.Equal("broker.not_granted", direct.Code);

            // The next send fails and the card says why. (The host may ask again first: the person declines.)
            // The person used the panel, so they enter the card again before typing in it.
            await CardUi.EnterAsync(win);
            await card.GetByTestId("chat-input").FillAsync("Again?");
            await card.GetByTestId("chat-send").ClickAsync();
            var error = card.GetByTestId("chat-error");
            var deny = page.GetByTestId("card-consent-deny");
            await Eventually.TrueAsync(async () => await error.IsVisibleAsync() || await deny.IsVisibleAsync(), "the card failed or the host asked again");
            if (await deny.IsVisibleAsync())
            {
                await deny.ClickAsync();
            }

            await Expect(error).ToHaveTextAsync(RevokedMessage);
            await Ui.ScreenshotAsync(page, "chatbot-05-revoked");
            Assert.Equal(["/v1/chat/completions"], fake.State.Paths.ToArray());

            await page.ReloadAsync();
            var reopened = Ui.Window(page, windowId);
            await Expect(reopened.FrameLocator("iframe").Locator("[data-testid=chat-message][data-role=assistant] p").First)
                .ToHaveTextAsync(Reply);

            // Another card with network:openai (the probe's bridge attacker) calls the service too;
            // everything the host sent it is in its log, and the key is not.
            var attacker = await Ui.SpawnAsync(page, "attacker");
            var probe = attacker.FrameLocator("iframe");
            await probe.GetByTestId("attack-network").Locator("button").ClickAsync();
            await page.GetByTestId("card-consent-allow").ClickAsync();
            await Expect(probe.GetByTestId("attack-network")).ToHaveAttributeAsync("data-code", "ok");
            var probeLog = await probe.GetByTestId("probe-received").InnerTextAsync();
            Assert.Contains("fake-gpt", probeLog, StringComparison.Ordinal); // the upstream's answer reached the card
            Assert.DoesNotContain(key, probeLog, StringComparison.Ordinal);
            Assert.DoesNotContain(key[^12..], probeLog, StringComparison.Ordinal);
            Assert.Equal("Bearer " + key, fake.State.LastHeaders["authorization"]);
            Assert.Equal("/v1/models", fake.State.LastPathAndQuery);
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
    public async Task Chatbot_NoKeyStored_SaysServiceIsNotSetUp()
    {
        var (context, page) = await env.AdminPageAsync();
        try
        {
            // The shared host's openai service ships disabled and without a key.
            await VaultUi.OpenServicesAsync(page);
            await Expect(VaultUi.ServiceRow(page, "openai")).ToHaveAttributeAsync("data-enabled", "false");

            await page.GotoAsync("/");
            await Ui.CreateBoardAsync(page);
            var win = await Ui.SpawnAsync(page, "chatbot");
            var card = win.FrameLocator("iframe");
            await card.GetByTestId("chat-input").FillAsync("Anyone there?");
            await card.GetByTestId("chat-send").ClickAsync();
            // No "allow?" for a service that cannot work: the host says it is not set up, and an
            // admin gets the way to set it up.
            var notice = page.GetByTestId("card-notice");
            await Expect(notice).ToContainTextAsync("OpenAI is not set up yet");
            await Expect(page.GetByTestId("card-consent")).ToHaveCountAsync(0);
            await Expect(notice.GetByTestId("card-notice-setup")).ToHaveAttributeAsync("href", "/admin/services");
            await Ui.ScreenshotAsync(page, "chatbot-05-not-set-up-notice");
            await notice.GetByTestId("card-notice-close").ClickAsync();
            var error = card.GetByTestId("chat-error");
            await Expect(error).ToHaveTextAsync("OpenAI is not set up on this server yet, so nothing was sent.");
            await Expect(error).ToHaveAttributeAsync("data-code", "not_configured");
            // The question stays; no empty reply bubble.
            await Expect(card.Locator("[data-testid=chat-message][data-role=user]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Anyone there\\?"));
            await Expect(card.Locator("[data-testid=chat-message][data-role=assistant]")).ToHaveCountAsync(0);
            await Ui.ScreenshotAsync(page, "chatbot-06-not-configured");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static async Task<IFrame> ChatFrameAsync(ILocator win)
    {
        var handle = await win.Locator("iframe").ElementHandleAsync();
        return await handle.ContentFrameAsync() ?? throw new InvalidOperationException("the chatbot window has no frame");
    }
}
