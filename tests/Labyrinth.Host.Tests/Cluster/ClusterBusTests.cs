using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Tests.Apps;
using Labyrinth.Host.Tests.Bus;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>
/// The workspace bus over two instances: one person's tabs hear each other wherever the balancer
/// put them, with the same checks, limits and scoping as on one instance, and nothing more.
/// </summary>
public sealed class ClusterBusTests(BusClusterFixture cluster) : IClassFixture<BusClusterFixture>
{
    private const string Topic = "math:expression:changed";

    [Fact]
    public async Task CardRemovedOnA_CardServedFromMemoryOnB_NotFoundOnBAtOnce()
    {
        var ada = await cluster.PersonAsync();
        var card = await ada.CardAsync();
        for (var i = 0; i < 2; i++)
        {
            using var warm = await ada.Session.OnB.GetAsync(card.Url("/payload"));
            await Expect.StatusAsync(HttpStatusCode.OK, warm);
        }

        var layout = Boards.Layout(card.Board);
        layout["windows"] = new System.Text.Json.Nodes.JsonArray();
        using (var removed = await Boards.PutLayoutAsync(ada.Session.OnA, card.Board, layout))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, removed);
        }

        using var onB = await ada.Session.OnB.GetAsync(card.Url("/payload"));
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", onB);
    }

    [Fact]
    public async Task BusPublish_OnA_ReachesSubscriberOnB()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("pub", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("sub", await ada.CardAsync()));
        BusAcks.Ok(await onB.SubscribeAsync("sub", "s1", "math:*:changed"));

        BusAcks.Ok(await onA.PublishAsync("pub", Topic, new { latex = "x^2" }));

        var got = await onB.NextEventAsync();
        Assert.Equal(["s1"], got.GetProperty("subs").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(Topic, got.GetProperty("topic").GetString());
        Assert.Equal("x^2", got.GetProperty("payload").GetProperty("latex").GetString());
        // The sender as A resolved it from the manifest, nothing about the instance or the board.
        Assert.Equal(Cards.CardsApp.PluginId, got.GetProperty("from").GetProperty("pluginId").GetString());
        Assert.Equal("viewer", got.GetProperty("from").GetProperty("typeID").GetString());
        Assert.Equal(["pluginId", "typeID"], got.GetProperty("from").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task BusPublish_OnA_IsDeliveredOncePerMemberClusterWide_InOrder()
    {
        var ada = await cluster.PersonAsync();
        await using var sender = await ada.TabAsync(onB: false);
        await using var otherOnA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await sender.JoinAsync("pub", await ada.CardAsync()));
        BusAcks.Ok(await otherOnA.JoinAsync("a", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("b", await ada.CardAsync()));
        BusAcks.Ok(await otherOnA.SubscribeAsync("a", "s", "math:*:changed"));
        BusAcks.Ok(await onB.SubscribeAsync("b", "s", "math:*:changed"));

        for (var i = 1; i <= 3; i++)
        {
            BusAcks.Ok(await sender.PublishAsync("pub", Topic, new { n = i }));
        }

        // The third arriving is the barrier: a duplicate of the first two (A hearing its own
        // broadcast, B delivering twice) would have arrived before it on the same ordered path.
        foreach (var tab in new[] { otherOnA, onB })
        {
            await tab.NextEventAsync(3);
            Assert.Equal([1, 2, 3], tab.Events.Select(e => e.GetProperty("payload").GetProperty("n").GetInt32()));
        }

        Assert.Empty(sender.Events);
    }

    [Fact]
    public async Task BusPublish_OnA_NeverReachesAnotherPersonOnB()
    {
        var ada = await cluster.PersonAsync();
        var bob = await cluster.PersonAsync();
        await using var adaOnA = await ada.TabAsync(onB: false);
        await using var bobOnA = await bob.TabAsync(onB: false);
        await using var bobOnB = await bob.TabAsync(onB: true);
        BusAcks.Ok(await adaOnA.JoinAsync("pub", await ada.CardAsync()));
        BusAcks.Ok(await bobOnA.JoinAsync("pub", await bob.CardAsync()));
        BusAcks.Ok(await bobOnB.JoinAsync("sub", await bob.CardAsync()));
        BusAcks.Ok(await bobOnB.SubscribeAsync("sub", "s", "math:*:changed"));

        BusAcks.Ok(await adaOnA.PublishAsync("pub", Topic, new { who = "ada" }));
        // Barrier: Bob's own publish leaves A after Ada's on the same channel.
        BusAcks.Ok(await bobOnA.PublishAsync("pub", Topic, new { who = "bob" }));

        var got = await bobOnB.NextEventAsync();
        Assert.Equal("bob", got.GetProperty("payload").GetProperty("who").GetString());
        Assert.Single(bobOnB.Events);
    }

    [Fact]
    public async Task BusRequest_OnA_IsAnsweredByResponderOnB()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("answerer", await ada.CardAsync()));
        BusAcks.Ok(await onB.SubscribeAsync("answerer", "r", "math:*:changed", responds: true));

        BusAcks.Ok(await onA.RequestAsync("asker", "q1", Topic, new { x = 2 }, timeoutMs: 20_000));

        var request = await BusTab.NextAsync(onB.Requests, 1, "requests on B");
        Assert.Equal(("answerer", "r"), (request.GetProperty("member").GetString(), request.GetProperty("sub").GetString()));
        Assert.Equal(2, request.GetProperty("payload").GetProperty("x").GetInt32());
        BusAcks.Ok(await onB.ReplyAsync("answerer", request.GetProperty("rid").GetString()!, new { y = 4 }));
        var reply = await BusTab.NextAsync(onA.Replies, 1, "replies on A");
        Assert.Equal(("asker", "q1", true), (reply.GetProperty("member").GetString(), reply.GetProperty("id").GetString(), reply.GetProperty("ok").GetBoolean()));
        Assert.Equal(4, reply.GetProperty("result").GetProperty("y").GetInt32());
    }

    [Fact]
    public async Task BusRequest_TwoPeoplesFirstRequests_AreEachAnsweredByTheirOwnResponder()
    {
        // Request ids count per person, so both first requests carry the same id on A.
        foreach (var person in new[] { await cluster.PersonAsync(), await cluster.PersonAsync() })
        {
            await using var onA = await person.TabAsync(onB: false);
            await using var onB = await person.TabAsync(onB: true);
            BusAcks.Ok(await onA.JoinAsync("asker", await person.CardAsync()));
            BusAcks.Ok(await onB.JoinAsync("answerer", await person.CardAsync()));
            BusAcks.Ok(await onB.SubscribeAsync("answerer", "r", "math:*:changed", responds: true));

            BusAcks.Ok(await onA.RequestAsync("asker", "q1", Topic, null, timeoutMs: 20_000));

            var request = await BusTab.NextAsync(onB.Requests, 1, "requests on B");
            BusAcks.Ok(await onB.ReplyAsync("answerer", request.GetProperty("rid").GetString()!, 1));
            Assert.True((await BusTab.NextAsync(onA.Replies, 1, "replies on A")).GetProperty("ok").GetBoolean());
        }
    }

    [Fact]
    public async Task BusRequest_WithNoResponderOnAnyInstance_EndsWithNoResponder()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("listener", await ada.CardAsync()));
        BusAcks.Ok(await onB.SubscribeAsync("listener", "s", "math:*:changed"));

        var ack = await onA.RequestAsync("asker", "q1", Topic, null, timeoutMs: 30_000);

        // Either at once or once B declined, and long before the 30 s deadline: never a silent wait.
        var code = ack.GetProperty("ok").GetBoolean()
            ? (await BusTab.NextAsync(onA.Replies, 1, "replies on A")).GetProperty("error").GetProperty("code").GetString()
            : ack.GetProperty("code").GetString();
        Assert.Equal("bus.no_responder", code);
    }

    [Fact]
    public async Task BusReply_ToARequestThatMemberWasNotGiven_IsRefusedAndNeverReachesTheRequester()
    {
        var ada = await cluster.PersonAsync();
        var eve = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        await using var otherOnB = await ada.TabAsync(onB: true);
        await using var eveOnB = await eve.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("asker", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("answerer", await ada.CardAsync()));
        BusAcks.Ok(await otherOnB.JoinAsync("other", await ada.CardAsync()));
        BusAcks.Ok(await eveOnB.JoinAsync("eve", await eve.CardAsync()));
        BusAcks.Ok(await onB.SubscribeAsync("answerer", "r", "math:*:changed", responds: true));
        BusAcks.Ok(await onA.RequestAsync("asker", "q1", Topic, null, timeoutMs: 20_000));
        var rid = (await BusTab.NextAsync(onB.Requests, 1, "requests on B")).GetProperty("rid").GetString()!;

        // Another of Ada's cards, and Eve's, on the instance that holds the request, answer its rid.
        BusAcks.Refused("bus.invalid", await otherOnB.ReplyAsync("other", rid, new { forged = "ada-other" }));
        BusAcks.Refused("bus.invalid", await eveOnB.ReplyAsync("eve", rid, new { forged = "eve" }));
        BusAcks.Ok(await onB.ReplyAsync("answerer", rid, new { real = true }));

        var reply = await BusTab.NextAsync(onA.Replies, 1, "replies on A");
        Assert.True(reply.GetProperty("result").GetProperty("real").GetBoolean());
        Assert.Single(onA.Replies);
    }

    [Fact]
    public async Task ApiCall_FromCardOnA_IsAnsweredByServiceOnB()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("card", await ada.CallerCardAsync()));
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));

        BusAcks.Ok(await onA.CallAsync("card", "c1", AppsApp.Provider, "add", new { a = 2, b = 3 }, timeoutMs: 20_000));

        var call = await BusTab.NextAsync(onB.Calls, 1, "api calls on B");
        Assert.Equal(("svc", "add", AppsApp.Caller), (call.GetProperty("member").GetString(), call.GetProperty("method").GetString(), call.GetProperty("caller").GetString()));
        Assert.Equal(3, call.GetProperty("input").GetProperty("b").GetInt32());
        BusAcks.Ok(await onB.AnswerAsync("svc", call.GetProperty("cid").GetString()!, new { sum = 5 }));
        var reply = await BusTab.NextAsync(onA.CallReplies, 1, "api replies on A");
        Assert.Equal(("card", "c1", true), (reply.GetProperty("member").GetString(), reply.GetProperty("id").GetString(), reply.GetProperty("ok").GetBoolean()));
        Assert.Equal(5, reply.GetProperty("result").GetProperty("sum").GetInt32());
    }

    [Fact]
    public async Task ApiCall_AnsweredOnBWithAnOutputThatBreaksTheSchema_ReachesACallerOnAAsInvalidOutput()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("card", await ada.CallerCardAsync()));
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        BusAcks.Ok(await onA.CallAsync("card", "c1", AppsApp.Provider, "add", new { a = 2, b = 3 }, timeoutMs: 20_000));
        var call = await BusTab.NextAsync(onB.Calls, 1, "api calls on B");

        BusAcks.Ok(await onB.AnswerAsync("svc", call.GetProperty("cid").GetString()!, new { sum = "five" }));

        var reply = await BusTab.NextAsync(onA.CallReplies, 1, "api replies on A");
        Assert.False(reply.GetProperty("ok").GetBoolean());
        Assert.Equal("api.invalid_output", reply.GetProperty("error").GetProperty("code").GetString());
        Assert.False(reply.TryGetProperty("result", out var result) && result.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task BusPublishRate_SpreadOverAAndB_IsLimitedAsOne()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("a", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("b", await ada.CardAsync()));

        var attempts = 0;
        JsonElement ack;
        do
        {
            ack = attempts % 2 == 0 ? await onA.PublishAsync("a", Topic, attempts) : await onB.PublishAsync("b", Topic, attempts);
            attempts++;
        }
        while (ack.GetProperty("ok").GetBoolean() && attempts < 4 * BusClusterFixture.PublishBurst);

        // One bucket for the person's plugin: refused once the pair spent the burst (plus what
        // refilled meanwhile), while each instance alone has seen only half of the attempts.
        BusAcks.Refused("bus.rate_limited", ack);
        Assert.InRange(attempts, BusClusterFixture.PublishBurst + 1, 2 * BusClusterFixture.PublishBurst);
    }

    [Fact]
    public async Task BusRefusalAudit_SpreadOverAAndB_WritesOneRowForTheCluster()
    {
        var ada = await cluster.PersonAsync();
        var card = await ada.CardAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinAsync("a", card));
        BusAcks.Ok(await onB.JoinAsync("b", card));

        // The viewer card publishing a topic only the notes card declares, through both instances.
        for (var i = 0; i < 3; i++)
        {
            BusAcks.Refused("bus.topic_not_declared", await onA.PublishAsync("a", "notes:item:created", i));
            BusAcks.Refused("bus.topic_not_declared", await onB.PublishAsync("b", "notes:item:created", i));
        }

        // Each refusal's audit append finished before its ack came back.
        var rows = (await cluster.AuditLinesAsync())
            .Where(l => l.Contains("\"bus.refused\"", StringComparison.Ordinal) && l.Contains(card.BoardId.ToString("N"), StringComparison.Ordinal))
            .ToList();
        Assert.Single(rows);
        Assert.Contains("topic_not_declared", rows[0], StringComparison.Ordinal);
    }
    [Fact]
    public async Task RunningApps_ServiceInATabOnB_IsListedThroughAWithItsInstance()
    {
        var ada = await cluster.PersonAsync();
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));

        var row = await RunningApps.ListedAsync(ada.Session.OnA, "/api/apps/running");

        Assert.Equal((AppsApp.Provider, "main", "b-" + cluster.Pair.Prefix),
            (row.GetProperty("pluginId").GetString(), row.GetProperty("serviceId").GetString(), row.GetProperty("instance").GetString()));
        var everyone = await RunningApps.ListedAsync(cluster.Admin.OnA, "/api/apps/running?all=true", ada.Session);
        Assert.Equal(row.GetProperty("tab").GetString(), everyone.GetProperty("tab").GetString());
    }

    [Fact]
    public async Task RunningApps_RestartThroughA_ReachesTheTabOnBAndCountsIt()
    {
        var ada = await cluster.PersonAsync();
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        var row = await RunningApps.ListedAsync(ada.Session.OnA, "/api/apps/running");

        using var restart = await ada.Session.OnA.PostAsJsonAsync("/api/apps/running/control", new
        {
            pluginId = AppsApp.Provider, serviceId = "main", action = "restart", tab = row.GetProperty("tab").GetString(), instance = row.GetProperty("instance").GetString(),
        });

        await Expect.StatusAsync(HttpStatusCode.OK, restart);
        Assert.Equal(1, (await restart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tabs").GetInt32());
        var control = await BusTab.NextAsync(onB.Controls, 1, "service controls on B");
        Assert.Equal(("restart", "main"), (control.GetProperty("action").GetString(), control.GetProperty("serviceId").GetString()));
    }

    [Fact]
    public async Task RunningApps_StopWithoutNamingAnInstance_ReachesTheTabsOnEveryInstance()
    {
        var ada = await cluster.PersonAsync();
        await using var onA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onA.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        await RunningApps.ListedAsync(ada.Session.OnA, "/api/apps/running", count: 2);

        using var stop = await ada.Session.OnA.PostAsJsonAsync("/api/apps/running/control", new { pluginId = AppsApp.Provider, action = "stop" });

        await Expect.StatusAsync(HttpStatusCode.OK, stop);
        Assert.Equal(2, (await stop.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tabs").GetInt32());
        await BusTab.NextAsync(onA.Controls, 1, "service controls on A");
        await BusTab.NextAsync(onB.Controls, 1, "service controls on B");
    }

    [Fact]
    public async Task RunningApps_ControlForAnInstanceThatIsGone_Answers503WithItsCode()
    {
        var ada = await cluster.PersonAsync();

        using var response = await ada.Session.OnA.PostAsJsonAsync("/api/apps/running/control", new
        {
            pluginId = AppsApp.Provider, serviceId = "main", action = "restart", instance = "gone-" + cluster.Pair.Prefix,
        });

        var problem = await Expect.ProblemAsync(HttpStatusCode.ServiceUnavailable, ErrorCodes.ServiceInstanceUnavailable, response);
        Assert.Contains("is gone", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>The Running apps panel's rows as a client reads them.</summary>
internal static class RunningApps
{
    /// <summary>The rows of <paramref name="url"/> once <paramref name="count"/> are there (another instance's arrive within its next publish); the first, or of <paramref name="person"/> when named.</summary>
    public static async Task<JsonElement> ListedAsync(HttpClient client, string url, ClusterPair.Session? person = null, int count = 1)
    {
        var me = person is null ? (Guid?)null : (await person.OnA.GetFromJsonAsync<JsonElement>("/api/auth/me")).GetProperty("id").GetGuid();
        var rows = await Eventually.ReachAsync(
            async () => (await client.GetFromJsonAsync<JsonElement[]>(url))!.Where(r => me is null || r.GetProperty("userId").GetGuid() == me).ToArray(),
            rows => rows.Length >= count, $"{count} running service(s) listed at {url}", TimeSpan.FromSeconds(30));
        Assert.Equal(count, rows.Length);
        return rows[0];
    }
}


/// <summary>What the bus does when an instance loses Redis.</summary>
public sealed class ClusterBusOutageTests(BusOutageFixture cluster) : IClassFixture<BusOutageFixture>
{
    [Fact]
    public async Task RunningApps_RedisLost_RestartOnAnotherInstanceAnswers503ClusterUnavailable()
    {
        // The other test of this class stops Redis too: begin once both instances are back on it.
        await BothReachRedisAsync();
        var ada = await cluster.PersonAsync();
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await onB.JoinServiceAsync("svc", AppsApp.Provider, "1.0.0", "main"));
        var row = await RunningApps.ListedAsync(ada.Session.OnA, "/api/apps/running");

        await cluster.Pair.Redis.StopAsync();
        try
        {
            var refused = await Eventually.ReachAsync(async () =>
            {
                using var response = await ada.Session.OnA.PostAsJsonAsync("/api/apps/running/control", new
                {
                    pluginId = AppsApp.Provider, serviceId = "main", action = "restart", tab = row.GetProperty("tab").GetString(), instance = row.GetProperty("instance").GetString(),
                });
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }, r => r.StatusCode == HttpStatusCode.ServiceUnavailable, "a restart through A was refused while Redis is down", TimeSpan.FromSeconds(60));

            Assert.Contains(ErrorCodes.ClusterUnavailable, refused.Body, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.Pair.Redis.StartAsync();
            await BothReachRedisAsync();
        }
    }

    private async Task BothReachRedisAsync()
    {
        foreach (var instance in new[] { cluster.Pair.A, cluster.Pair.B })
        {
            using var probe = instance.CreateClient();
            await Eventually.TrueAsync(
                async () => (await probe.GetFromJsonAsync<JsonElement>("/healthz")).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString() == "ok",
                "the instance reaches Redis again", TimeSpan.FromSeconds(60));
        }
    }

    private const string Topic = "math:expression:changed";

    [Fact]
    public async Task RedisLost_LocalDeliveryStillWorks_AndARequestForAnotherInstanceIsRefusedClearly()
    {
        var ada = await cluster.PersonAsync();
        await using var sender = await ada.TabAsync(onB: false);
        await using var otherOnA = await ada.TabAsync(onB: false);
        await using var onB = await ada.TabAsync(onB: true);
        BusAcks.Ok(await sender.JoinAsync("pub", await ada.CardAsync()));
        BusAcks.Ok(await otherOnA.JoinAsync("sub", await ada.CardAsync()));
        BusAcks.Ok(await onB.JoinAsync("answerer", await ada.CardAsync()));
        BusAcks.Ok(await otherOnA.SubscribeAsync("sub", "s", "math:*:changed"));
        BusAcks.Ok(await onB.SubscribeAsync("answerer", "r", "math:*:changed", responds: true));

        await cluster.Pair.Redis.StopAsync();
        try
        {
            // The only responder is on B: once A knows Redis is gone, it refuses instead of waiting.
            var n = 0;
            var refused = await Eventually.ReachAsync(
                () => sender.RequestAsync("pub", "q" + Interlocked.Increment(ref n), Topic, null, timeoutMs: 1000),
                ack => !ack.GetProperty("ok").GetBoolean(), "a request from A was refused while Redis is down", TimeSpan.FromSeconds(60));
            BusAcks.Refused("cluster.unavailable", refused);

            BusAcks.Ok(await sender.PublishAsync("pub", Topic, new { local = true }));
            await Eventually.TrueAsync(() => otherOnA.Events.Any(e => e.GetProperty("payload").TryGetProperty("local", out _)), "A's other tab got the publish made on A");
        }
        finally
        {
            await cluster.Pair.Redis.StartAsync();
        }
    }
}
