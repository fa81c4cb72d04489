using Labyrinth.Host.Features.Cluster;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Labyrinth.Host.Tests.Cluster;

/// <summary>What the cluster keeps in Redis: under its own prefix, and never going backwards.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task SignalRBackplane_HubsInUse_SubscribeOnlyUnderTheClusterPrefix()
    {
        var member = await cluster.Pair.MemberAsync(cluster.Admin);
        await using var hub = await member.ConnectAsync("/hubs/plugins", toB: true);

        // The backplane subscribes per hub type ("…PluginsHub:all" and the like): without the
        // cluster's prefix two clusters sharing a Redis server would hear each other's kills.
        var redis = cluster.Pair.A.Services.GetRequiredService<RedisConnection>();
        var channels = await Eventually.ReachAsync(
            async () => ((RedisResult[])(await redis.Database.ExecuteAsync("PUBSUB", "CHANNELS", "*"))!).Select(r => (string)r!).ToList(),
            c => c.Any(name => name.Contains("PluginsHub", StringComparison.Ordinal)),
            "a backplane channel of the plugins hub");

        Assert.All(channels.Where(c => c.Contains("Hub", StringComparison.Ordinal)), c => Assert.StartsWith(cluster.Pair.Prefix + ":signalr", c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BarrierAcknowledgement_OlderAfterNewer_KeepsTheNewer()
    {
        var redis = cluster.Pair.A.Services.GetRequiredService<RedisConnection>();
        var instance = "ack-" + Guid.NewGuid().ToString("N")[..8];

        // A catch-up reload of change 4 finishing after the instance announced change 5.
        await RedisClusterSignals.AcknowledgeAsync(redis, instance, 5);
        await RedisClusterSignals.AcknowledgeAsync(redis, instance, 4);

        Assert.Equal(5, (long)await redis.Database.HashGetAsync(redis.Key(RedisClusterSignals.AppliedKey), instance));
        await redis.Database.HashDeleteAsync(redis.Key(RedisClusterSignals.AppliedKey), instance);
    }
}
