using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>Two instances behind a (simulated) load balancer act as one host: Redis carries what the database does not.</summary>
public sealed partial class ClusterTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private static readonly object Models = new { method = "GET", path = "/models" };

    [Fact]
    public async Task Board_WrittenOnA_IsReadOnB()
    {
        var member = await cluster.Pair.MemberAsync(cluster.Admin);
        var board = await LabyrinthApp.CreateBoardAsync(member.OnA, "Written on A");

        using var read = await member.OnB.GetAsync($"/api/boards/{board.Id()}");

        await Expect.StatusAsync(HttpStatusCode.OK, read);
        Assert.Equal("Written on A", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task SessionCookie_SetByA_IsAcceptedByB()
    {
        var member = await cluster.Pair.MemberAsync(cluster.Admin);

        using var me = await member.OnB.GetAsync("/api/auth/me");

        await Expect.StatusAsync(HttpStatusCode.OK, me);
    }

    [Fact]
    public async Task Kill_OnA_TellsBrowsersOnBAndRefusesSpawnOnB()
    {
        var member = await cluster.Pair.MemberAsync(cluster.Admin);
        var board = await LabyrinthApp.CreateBoardAsync(member.OnB);
        await using var hub = await member.ConnectAsync("/hubs/plugins", toB: true);
        var killed = new ConcurrentQueue<JsonElement>();
        hub.On<JsonElement>("pluginKilled", m => killed.Enqueue(m));

        using (var kill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/kill", new { reason = "Cluster test" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, kill);
        }

        try
        {
            await Eventually.TrueAsync(() => killed.Any(m => m.GetProperty("pluginId").GetString() == ClusterFixture.KillPlugin), "the browser connected to B heard pluginKilled");
            // The kill is announced only after every live instance applied it: B refuses at once.
            using var spawn = await member.OnB.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows",
                new { kind = "plugin", plugin = new { pluginId = ClusterFixture.KillPlugin, typeID = "net" } }, board.ETag());
            await Expect.ProblemAsync(HttpStatusCode.BadRequest, "spawn.plugin_killed", spawn);
        }
        finally
        {
            using var unkill = await cluster.Admin.OnA.PostAsJsonAsync($"/api/admin/plugins/{ClusterFixture.KillPlugin}/unkill", new { });
        }
    }

    [Fact]
    public async Task RevokeOnA_StreamThroughB_EndsWithRevoked()
    {
        var (member, boardId, windowId) = await cluster.CardAsync(ClusterFixture.NetPlugin, "fake");
        using var response = await member.OnB.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/cards/{boardId}/{windowId}/network/fake")
        {
            Content = JsonContent.Create(new { method = "GET", path = "/test/endless", stream = true }),
        }, HttpCompletionOption.ResponseHeadersRead);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync(); // head
        await reader.ReadLineAsync(); // first chunk: the upstream is streaming through B

        using (var revoked = await member.OnA.DeleteAsync($"/api/cards/{boardId}/{windowId}/grants/{Uri.EscapeDataString("network:fake")}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoked);
        }

        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var last = JsonDocument.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("broker.revoked", last.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task BrokerRateLimit_CallsSpreadOverAAndB_AreCountedAsOne()
    {
        var (member, boardId, windowId) = await cluster.CardAsync(ClusterFixture.NetPlugin, "bursty");
        var url = $"/api/cards/{boardId}/{windowId}/network/bursty";
        foreach (var client in new[] { member.OnA, member.OnB, member.OnA })
        {
            using var ok = await client.PostAsJsonAsync(url, Models);
            await Expect.StatusAsync(HttpStatusCode.OK, ok);
        }

        // B has served one call of the burst of three; on its own it would allow two more.
        using var limited = await member.OnB.PostAsJsonAsync(url, Models);

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "broker.rate_limited", limited);
    }

    [Fact]
    public async Task Healthz_WithRedis_ReportsDatabaseBlobsAndRedis()
    {
        using var client = cluster.Pair.B.CreateClient();

        var health = await client.GetFromJsonAsync<JsonElement>("/healthz");

        var checks = health.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("ok", checks.GetProperty("blobs").GetProperty("status").GetString());
        Assert.Equal("ok", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("b-" + cluster.Pair.Prefix, checks.GetProperty("redis").GetProperty("instance").GetString());
    }
}
