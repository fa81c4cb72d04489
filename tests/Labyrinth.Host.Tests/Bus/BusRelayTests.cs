using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Bus;

/// <summary>
/// The workspace bus relay through <c>/hubs/bus</c>: each <see cref="BusTab"/> is one browser tab's
/// connection. The test plugin's viewer card publishes <c>math:expression:changed</c> and may
/// subscribe to <c>math:*:changed</c>; the notes card publishes <c>notes:item:created</c> and that
/// math topic, and subscribes to <c>notes:*:*</c>. Rates are low here so a flood is cheap.
/// </summary>
public sealed class BusRelayTests(BusRelayTests.App shared) : IClassFixture<BusRelayTests.App>
{
    public sealed class App() : IAsyncLifetime
    {
        public CardsApp Cards { get; } = new(new Dictionary<string, string?>
        {
            ["Labyrinth:Bus:PublishesPerSecond"] = "5",
            ["Labyrinth:Bus:PublishBurst"] = "5",
        });

        public ValueTask InitializeAsync() => Cards.InitializeAsync();

        public ValueTask DisposeAsync() => Cards.DisposeAsync();
    }

    private const string Topic = "math:expression:changed";

    private CardsApp Cards => shared.Cards;

    private BusRelay Relay => Cards.App.Services.GetRequiredService<BusRelay>();

    [Fact]
    public async Task OpenTab_AccountDisabled_IsDisconnected()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        Assert.Equal(HubConnectionState.Connected, tab.State);

        using (var disabled = await Cards.Admin.PatchAsJsonAsync($"/api/admin/users/{ada.UserId}", new { disabled = true }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, disabled);
        }

        await Eventually.TrueAsync(() => tab.State == HubConnectionState.Disconnected, "the disabled person's open tab was disconnected");
    }

    [Fact]
    public async Task OpenTab_ItsSessionSignedOut_IsDisconnected()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();

        using (var signedOut = await ada.Client.PostAsync("/api/auth/logout", null))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, signedOut);
        }

        await Eventually.TrueAsync(() => tab.State == HubConnectionState.Disconnected, "the signed-out session's open tab was disconnected");
    }

    [Fact]
    public async Task Publish_FromOneTab_ReachesThatPersonsOtherTabOnly()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        var bob = await BusPerson.CreateAsync(Cards);
        await using var adaTab1 = await ada.OpenTabAsync();
        await using var adaTab2 = await ada.OpenTabAsync();
        await using var bobTab1 = await bob.OpenTabAsync();
        await using var bobTab2 = await bob.OpenTabAsync();
        // Cards on different boards; Bob's cards are the same types, subscribed to the same topics.
        BusAcks.Ok(await adaTab1.JoinAsync("a1", await ada.CardAsync()));
        BusAcks.Ok(await adaTab2.JoinAsync("a2", await ada.CardAsync()));
        BusAcks.Ok(await bobTab1.JoinAsync("b1", await bob.CardAsync()));
        BusAcks.Ok(await bobTab2.JoinAsync("b2", await bob.CardAsync()));
        BusAcks.Ok(await adaTab2.SubscribeAsync("a2", "s1", "math:*:changed"));
        BusAcks.Ok(await bobTab1.SubscribeAsync("b1", "s1", "math:*:changed"));

        BusAcks.Ok(await adaTab1.PublishAsync("a1", Topic, new { latex = "x^2" }));
        // Barrier: Bob's own publish, relayed after Ada's, reaches Bob's tab on the same ordered channel.
        BusAcks.Ok(await bobTab2.PublishAsync("b2", Topic, new { latex = "bob" }));

        var got = await adaTab2.NextEventAsync();
        Assert.Equal(["s1"], got.GetProperty("subs").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Topic, got.GetProperty("topic").GetString());
        Assert.Equal("x^2", got.GetProperty("payload").GetProperty("latex").GetString());
        Assert.Equal(CardsApp.PluginId, got.GetProperty("from").GetProperty("pluginId").GetString());
        Assert.Equal("viewer", got.GetProperty("from").GetProperty("typeID").GetString());
        var bobs = await bobTab1.NextEventAsync();
        Assert.Equal("bob", bobs.GetProperty("payload").GetProperty("latex").GetString());
        Assert.Single(bobTab1.Events);
        // The sender's own tab delivers locally; the host never echoes it back.
        Assert.Empty(adaTab1.Events);
    }

    [Fact]
    public async Task Join_WindowIdWithNul_IsRefusedAsInvalid()
    {
        // PostgreSQL refused the look-up (the hub call failed with a server error); SQLite looked it up.
        var ada = await BusPerson.CreateAsync(Cards);
        var card = await ada.CardAsync();
        await using var tab = await ada.OpenTabAsync();

        var ack = await tab.JoinAsync("nul", card with { WindowId = card.WindowId + "\0" });

        BusAcks.Refused("bus.invalid", ack);
    }

    [Fact]
    public async Task Join_AnotherPersonsCard_IsRefused()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        var eve = await BusPerson.CreateAsync(Cards);
        var adaCard = await ada.CardAsync();
        await using var eveTab = await eve.OpenTabAsync();

        var ack = await eveTab.JoinAsync("stolen", adaCard);

        BusAcks.Refused("bus.member_not_found", ack);
        BusAcks.Refused("bus.not_member", await eveTab.PublishAsync("stolen", Topic, 1));
    }

    [Fact]
    public async Task Publish_UndeclaredTopic_IsRefusedCountedAndAudited()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab1 = await ada.OpenTabAsync();
        await using var tab2 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab1.JoinAsync("a1", await ada.CardAsync()));
        BusAcks.Ok(await tab2.JoinAsync("n1", await ada.CardAsync("notes")));
        BusAcks.Ok(await tab2.SubscribeAsync("n1", "s1", "notes:*:*"));
        var before = await RefusedMetricAsync("topic_not_declared");

        // A tampered page publishing, as the viewer card, a topic only the notes card declares.
        var ack = await tab1.PublishAsync("a1", "notes:item:created", new { forged = true });

        BusAcks.Refused("bus.topic_not_declared", ack);
        Assert.Equal(before + 1, await RefusedMetricAsync("topic_not_declared"));
        var audit = await Cards.AuditExportAsync();
        Assert.Contains("\"bus.refused\"", audit, StringComparison.Ordinal);
        Assert.Contains("topic_not_declared", audit, StringComparison.Ordinal);
        // Barrier: the notes card's own declared publish arrives, and it is the only event.
        await using var tab3 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab3.JoinAsync("n2", await ada.CardAsync("notes")));
        BusAcks.Ok(await tab3.PublishAsync("n2", "notes:item:created", new { real = true }));
        var only = await tab2.NextEventAsync();
        Assert.True(only.GetProperty("payload").GetProperty("real").GetBoolean());
        Assert.Single(tab2.Events);
    }

    [Fact]
    public async Task Publish_WithoutTheGrant_IsRefused()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", await ada.CardAsync(granted: false)));

        BusAcks.Refused("bus.not_granted", await tab.PublishAsync("a1", Topic, 1));
        BusAcks.Refused("bus.not_granted", await tab.SubscribeAsync("a1", "s1", "math:*:changed"));
    }

    [Fact]
    public async Task Publish_GrantedAfterJoin_IsAcceptedAtOnce()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        var card = await ada.CardAsync(granted: false);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", card));
        BusAcks.Refused("bus.not_granted", await tab.PublishAsync("a1", Topic, 1));

        using (var granted = await card.GrantAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, granted);
        }

        BusAcks.Ok(await tab.PublishAsync("a1", Topic, 2));
    }

    [Fact]
    public async Task Publish_PayloadOver64KiB_IsRefused()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", await ada.CardAsync()));

        // 64 KiB of UTF-8 in 21,846 three-byte characters: short in UTF-16, too large in bytes.
        var ack = await tab.PublishAsync("a1", Topic, new string('€', 21_846));

        BusAcks.Refused("bus.too_large", ack);
        BusAcks.Ok(await tab.PublishAsync("a1", Topic, new string('€', 21_000)));
    }

    [Fact]
    public async Task Publish_Flood_IsRateLimitedAndAuditedOnce()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", await ada.CardAsync()));
        var before = await RefusedMetricAsync("rate_limited");

        var acks = new List<JsonElement>();
        for (var i = 0; i < 60; i++)
        {
            acks.Add(await tab.PublishAsync("a1", Topic, i));
        }

        var refused = acks.Count(a => a.GetProperty("code").ValueKind == JsonValueKind.String && a.GetProperty("code").GetString() == "bus.rate_limited");
        // Burst 5, then 5 per second: most of a tight loop of 60 is refused, whatever the machine's speed.
        Assert.True(refused >= 20, $"only {refused} of 60 refused");
        Assert.Equal(before + refused, await RefusedMetricAsync("rate_limited"));
        var rows = (await Cards.AuditExportAsync()).Split('\n')
            .Count(l => l.Contains("\"bus.refused\"", StringComparison.Ordinal) && l.Contains("rate_limited", StringComparison.Ordinal));
        Assert.True(rows is >= 1 and <= 2, $"a flood of {refused} refusals wrote {rows} audit rows");
    }

    [Fact]
    public async Task Subscribe_BeyondTheDeclaredPatterns_IsRefused()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", await ada.CardAsync()));

        BusAcks.Refused("bus.topic_not_declared", await tab.SubscribeAsync("a1", "s1", "*:*:*"));
        BusAcks.Refused("bus.invalid", await tab.SubscribeAsync("a1", "s2", "("));
        BusAcks.Ok(await tab.SubscribeAsync("a1", "s3", "math:graph:changed"));
    }

    [Fact]
    public async Task Request_AnsweredByACardInTheOtherTab()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab1 = await ada.OpenTabAsync();
        await using var tab2 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab1.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await tab2.JoinAsync("answerer", await ada.CardAsync()));
        BusAcks.Ok(await tab2.SubscribeAsync("answerer", "r1", "math:*:changed", responds: true));

        BusAcks.Ok(await tab1.RequestAsync("asker", "q1", Topic, new { x = 2 }));
        var incoming = await BusTab.NextAsync(tab2.Requests, 1, "requests");
        Assert.Equal("answerer", incoming.GetProperty("member").GetString());
        Assert.Equal("r1", incoming.GetProperty("sub").GetString());
        Assert.Equal(2, incoming.GetProperty("payload").GetProperty("x").GetInt32());
        BusAcks.Ok(await tab2.ReplyAsync("answerer", incoming.GetProperty("rid").GetString()!, new { y = 4 }));

        var reply = await BusTab.NextAsync(tab1.Replies, 1, "replies");
        Assert.Equal("asker", reply.GetProperty("member").GetString());
        Assert.Equal("q1", reply.GetProperty("id").GetString());
        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(4, reply.GetProperty("result").GetProperty("y").GetInt32());
        // Exactly one answer: a second reply to the same request is refused and relays nothing.
        BusAcks.Refused("bus.invalid", await tab2.ReplyAsync("answerer", incoming.GetProperty("rid").GetString()!, 5));
    }

    [Fact]
    public async Task Request_NoResponder_IsAnsweredNoResponder()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("asker", await ada.CardAsync()));

        BusAcks.Refused("bus.no_responder", await tab.RequestAsync("asker", "q1", Topic, null));
    }

    [Fact]
    public async Task Request_ResponderNeverAnswers_TimesOut()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab1 = await ada.OpenTabAsync();
        await using var tab2 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab1.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await tab2.JoinAsync("silent", await ada.CardAsync()));
        BusAcks.Ok(await tab2.SubscribeAsync("silent", "r1", "math:*:changed", responds: true));

        BusAcks.Ok(await tab1.RequestAsync("asker", "q1", Topic, null, timeoutMs: 200));

        var reply = await BusTab.NextAsync(tab1.Replies, 1, "replies");
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("bus.timeout", reply.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Request_ResponderTabCloses_FailsWithNoResponder()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab1 = await ada.OpenTabAsync();
        var tab2 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab1.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await tab2.JoinAsync("leaving", await ada.CardAsync()));
        BusAcks.Ok(await tab2.SubscribeAsync("leaving", "r1", "math:*:changed", responds: true));
        BusAcks.Ok(await tab1.RequestAsync("asker", "q1", Topic, null, timeoutMs: 30_000));
        await BusTab.NextAsync(tab2.Requests, 1, "requests");

        await tab2.DisposeAsync();

        var reply = await BusTab.NextAsync(tab1.Replies, 1, "replies");
        Assert.Equal("bus.no_responder", reply.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task History_ShowsOnlyWhatTheReaderMaySubscribeTo()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("notes", await ada.CardAsync("notes")));
        BusAcks.Ok(await tab.JoinAsync("viewer", await ada.CardAsync()));
        BusAcks.Ok(await tab.PublishAsync("notes", "notes:item:created", "n1"));
        BusAcks.Ok(await tab.PublishAsync("notes", Topic, "m1"));
        BusAcks.Ok(await tab.PublishAsync("notes", Topic, "elsewhere", target: "dev.other.plugin"));
        BusAcks.Ok(await tab.PublishAsync("notes", Topic, "for-viewer", target: CardsApp.PluginId));

        var viewer = await tab.HistoryAsync("viewer", "*:*:*");
        var notes = await tab.HistoryAsync("notes", "*:*:*");

        Assert.Equal(["m1", "for-viewer"], viewer.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("payload").GetString()));
        Assert.Equal(["n1"], notes.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("payload").GetString()));
        var first = viewer.GetProperty("messages")[0];
        Assert.Equal("notes", first.GetProperty("from").GetProperty("typeID").GetString());
    }

    [Fact]
    public async Task History_OfAnotherPerson_IsNeverVisible()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        var bob = await BusPerson.CreateAsync(Cards);
        await using var adaTab = await ada.OpenTabAsync();
        await using var bobTab = await bob.OpenTabAsync();
        BusAcks.Ok(await adaTab.JoinAsync("a", await ada.CardAsync()));
        BusAcks.Ok(await bobTab.JoinAsync("b", await bob.CardAsync()));
        BusAcks.Ok(await adaTab.PublishAsync("a", Topic, "ada's"));

        var history = await bobTab.HistoryAsync("b", "*:*:*");

        Assert.Empty(history.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task Revoke_DropsTheCardsSubscriptionsAtOnce()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        var listener = await ada.CardAsync();
        await using var tab1 = await ada.OpenTabAsync();
        await using var tab2 = await ada.OpenTabAsync();
        BusAcks.Ok(await tab1.JoinAsync("sender", await ada.CardAsync()));
        BusAcks.Ok(await tab2.JoinAsync("listener", listener));
        BusAcks.Ok(await tab2.SubscribeAsync("listener", "s1", "math:*:changed"));
        Assert.Equal(1, Relay.SubscriptionsOf(ada.UserId));

        using (var revoked = await listener.RevokeAsync("crossCard:pubsub"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoked);
        }

        Assert.Equal(0, Relay.SubscriptionsOf(ada.UserId));
        BusAcks.Ok(await tab1.PublishAsync("sender", Topic, 1));
        BusAcks.Refused("bus.not_granted", await tab2.SubscribeAsync("listener", "s2", "math:*:changed"));
        Assert.Empty(tab2.Events);
    }

    [Fact]
    public async Task Report_PageRefusals_AreCountedAndAudited()
    {
        var ada = await BusPerson.CreateAsync(Cards);
        await using var tab = await ada.OpenTabAsync();
        BusAcks.Ok(await tab.JoinAsync("a1", await ada.CardAsync()));
        var before = await RefusedMetricAsync("too_large");

        BusAcks.Ok(await tab.ReportAsync("a1", "too_large", 7));
        BusAcks.Refused("bus.invalid", await tab.ReportAsync("a1", "anything", 1));

        Assert.Equal(before + 7, await RefusedMetricAsync("too_large"));
    }

    private async Task<double> RefusedMetricAsync(string reason)
    {
        using var response = await Cards.Admin.GetAsync("/metrics");
        var text = HttpClientExtensions.WithoutInstanceLabel(await response.Content.ReadAsStringAsync());
        var prefix = $"labyrinth_bus_refused_total{{plugin=\"{CardsApp.PluginId}\",reason=\"{reason}\"}} ";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
