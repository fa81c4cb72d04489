using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>A pair with a small sign-in limit, whose Redis the tests may stop and start again.</summary>
public sealed class ResilienceFixture : IAsyncLifetime
{
    public const int LoginsPerMinute = 6;

    internal ClusterPair Pair { get; private set; } = null!;

    internal ClusterPair.Session Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Pair = await ClusterPair.StartAsync(new Dictionary<string, string?> { ["Labyrinth:LoginAttemptsPerMinute"] = LoginsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Admin = await Pair.SetupAdminAsync();
    }

    public async ValueTask DisposeAsync() => await Pair.DisposeAsync();

    /// <summary>
    /// Waits until A and B both reach Redis: after a test stopped and started it, each instance
    /// reconnects on its own schedule, and until then its share of a shared limit answers 503.
    /// </summary>
    internal async Task BothReachRedisAsync()
    {
        foreach (var (name, instance) in new[] { ("A", Pair.A), ("B", Pair.B) })
        {
            using var probe = instance.CreateClient();
            await Eventually.ReachAsync(async () =>
            {
                // 503 while an instance is unhealthy (it has not loaded the cluster's change yet): still read the body.
                using var health = await probe.GetAsync("/healthz");
                return (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
            }, status => status == "ok", $"{name} reaches Redis", TimeSpan.FromSeconds(60));
        }
    }
}

/// <summary>Limits that hold across instances, and what an instance does when Redis goes away and comes back.</summary>
public sealed class ClusterResilienceTests(ResilienceFixture cluster) : IClassFixture<ResilienceFixture>
{
    [Fact]
    public async Task LoginAttempts_SpreadOverAAndB_AreLimitedAsOne()
    {
        // The other tests stop Redis; a guess sent to an instance still reconnecting would answer
        // 503 and count nowhere.
        await cluster.BothReachRedisAsync();
        var guesser = new ClusterPair.Session(cluster.Pair);
        var attempts = 0;
        HttpStatusCode status;
        do
        {
            var client = attempts % 2 == 0 ? guesser.OnB : guesser.OnA;
            using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = LabyrinthApp.AdminName, password = "wrong-" + attempts });
            status = response.StatusCode;
            attempts++;
            if (status is not (HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests))
            {
                Assert.Fail($"Guess {attempts} on {(attempts % 2 == 1 ? "B" : "A")} answered {(int)status}, neither a wrong password (401) nor the limit (429): {await response.Content.ReadAsStringAsync()}");
            }
        }
        while (status != HttpStatusCode.TooManyRequests && attempts < 4 * ResilienceFixture.LoginsPerMinute);

        // One budget for both: refused by the time the pair saw the limit (setup used one; at most
        // one more refilled meanwhile), while each instance alone has seen only about half of it.
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.InRange(attempts, 1, ResilienceFixture.LoginsPerMinute + 1);
    }

    [Fact]
    public async Task RedisLost_CoordinatedChangesAnswer503_ReadsStillServed_AndRecoverWhenBack()
    {
        var board = await LabyrinthApp.CreateBoardAsync(cluster.Admin.OnA, "Before the outage");
        await cluster.Pair.Redis.StopAsync();
        try
        {
            var refused = await Eventually.ReachAsync(async () =>
            {
                using var kill = await cluster.Admin.OnA.PostAsJsonAsync("/api/admin/plugins/dev.test.none/kill", new { reason = "outage" });
                return (kill.StatusCode, Body: await kill.Content.ReadAsStringAsync());
            }, r => r.StatusCode == HttpStatusCode.ServiceUnavailable, "a kill on A was refused while Redis is down");
            Assert.Equal("cluster.unavailable", JsonDocument.Parse(refused.Body).RootElement.GetProperty("code").GetString());

            using var read = await cluster.Admin.OnB.GetAsync($"/api/boards/{board.Id()}");
            await Expect.StatusAsync(HttpStatusCode.OK, read);

            using var health = await cluster.Pair.A.CreateClient().GetAsync("/healthz");
            var redis = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("redis");
            Assert.Equal("degraded", redis.GetProperty("status").GetString());
        }
        finally
        {
            await cluster.Pair.Redis.StartAsync();
        }

        // Back: the instance reconnects on its own and coordinates again; the key ring came back
        // from the instances' copies, so the session from before the outage still works.
        await Eventually.ReachAsync(async () =>
        {
            using var kill = await cluster.Admin.OnA.PostAsJsonAsync("/api/admin/plugins/dev.test.none/kill", new { reason = "after" });
            return kill.StatusCode;
        }, s => s == HttpStatusCode.NotFound, "a kill on A reached the plugin check again once Redis was back");

        // B recovers on its own schedule too; leave the pair whole for the next test.
        await cluster.BothReachRedisAsync();
    }

    [Fact]
    public async Task Metrics_Always_CarryAnInstanceLabel()
    {
        using var client = cluster.Pair.A.CreateClient();

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("instance=\"", text, StringComparison.Ordinal);
    }
}
