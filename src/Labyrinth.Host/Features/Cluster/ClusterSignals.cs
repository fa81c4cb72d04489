using System.Text.Json;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Cluster;

/// <summary>What one instance tells the others: a grant went, or the plugins changed (kill, enable, install…).</summary>
internal sealed record ClusterSignal(string Kind, string Origin)
{
    public const string CardCapabilityRevoked = "card-capability";
    public const string CardRevoked = "card";
    public const string BoardRevoked = "board";
    public const string ServiceCapabilityRevoked = "service-capability";
    public const string ServicePluginRevoked = "service-plugin";
    public const string PluginsChanged = "plugins-changed";

    public Guid? BoardId { get; init; }

    public string? WindowId { get; init; }

    public string? Capability { get; init; }

    public string? PluginId { get; init; }

    /// <summary>For <see cref="PluginsChanged"/>: the cluster's change counter, acknowledged by each instance once applied.</summary>
    public long Generation { get; init; }
}

/// <summary>
/// Fan-out of the in-process signals (grant cancellation, plugin changes) to every other instance.
/// A single instance has nobody to tell: <see cref="LocalClusterSignals"/> does nothing.
/// </summary>
internal interface IClusterSignals
{
    /// <summary>Whether actions that must reach every instance (installs, kills, governance) may go ahead now.</summary>
    bool CanCoordinate { get; }

    /// <summary>Tells the other instances, without waiting (revocations are also applied here first).</summary>
    void Publish(ClusterSignal signal);

    /// <summary>
    /// Tells every instance that the plugins changed and waits until every live one has reloaded them
    /// (the ready barrier), so clients told next find the change on whichever instance they reach.
    /// </summary>
    Task AnnounceChangeAsync(CancellationToken ct = default);
}

internal sealed class LocalClusterSignals : IClusterSignals
{
    public bool CanCoordinate => true;

    public void Publish(ClusterSignal signal)
    {
    }

    public Task AnnounceChangeAsync(CancellationToken ct = default) => Task.CompletedTask;
}

internal sealed partial class RedisClusterSignals(RedisConnection redis, ClusterInstance instance, ClusterGeneration applied, ILogger<RedisClusterSignals> logger) : IClusterSignals
{
    public const string SignalsChannel = "signals";
    public const string GenerationKey = "generation";
    public const string InstancesKey = "instances";
    public const string AppliedKey = "applied";
    public const string HeartbeatPrefix = "instance:";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Lists the live instances that have not applied generation ARGV[1] yet, forgetting dead ones
    // (their heartbeat key expired) on the way.
    private static readonly LuaScript LaggingScript = LuaScript.Prepare("""
        local lagging = {}
        for _, m in ipairs(redis.call('SMEMBERS', @instances)) do
          if redis.call('EXISTS', @heartbeatPrefix .. m) == 1 then
            local applied = tonumber(redis.call('HGET', @applied, m) or '0')
            if applied < tonumber(@generation) then
              table.insert(lagging, m)
            end
          else
            redis.call('SREM', @instances, m)
            redis.call('HDEL', @applied, m)
          end
        end
        return lagging
        """);

    // Records that an instance applied generation @generation, never moving its entry backwards: a
    // heartbeat's catch-up reload of an older change can finish after this instance announced a
    // newer one, and writing the older number then would make the newer barrier wait for itself.
    private static readonly LuaScript AcknowledgeScript = LuaScript.Prepare("""
        local current = tonumber(redis.call('HGET', @applied, @instance) or '0')
        if current < tonumber(@generation) then
          redis.call('HSET', @applied, @instance, @generation)
        end
        return current
        """);

    public bool CanCoordinate => redis.IsConnected;

    /// <summary>Tells the barrier that <paramref name="instanceId"/> applied <paramref name="generation"/> (an older number never replaces a newer one).</summary>
    public static Task AcknowledgeAsync(RedisConnection redis, string instanceId, long generation)
    {
        ArgumentNullException.ThrowIfNull(redis);
        return AcknowledgeScript.EvaluateAsync(redis.Database, new { applied = redis.Key(AppliedKey), instance = instanceId, generation });
    }

    public void Publish(ClusterSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        try
        {
            redis.Multiplexer.GetSubscriber().Publish(redis.Channel(SignalsChannel), JsonSerializer.Serialize(signal with { Origin = instance.Id }, Json), CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            // Applied here already; the others learn it when a reload catches up (documented).
            LogPublishFailed(logger, signal.Kind, ex.Message);
        }
    }

    public async Task AnnounceChangeAsync(CancellationToken ct = default)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var db = redis.Database;
            var generation = await db.StringIncrementAsync(redis.Key(GenerationKey));
            // This instance reloaded before announcing.
            applied.Advance(generation);
            await AcknowledgeAsync(redis, instance.Id, generation);
            await redis.Multiplexer.GetSubscriber().PublishAsync(redis.Channel(SignalsChannel),
                JsonSerializer.Serialize(new ClusterSignal(ClusterSignal.PluginsChanged, instance.Id) { Generation = generation }, Json));
            var deadline = TimeSpan.FromMilliseconds(redis.Options.BarrierTimeoutMilliseconds);
            while (true)
            {
                var lagging = (RedisResult[])(await LaggingScript.EvaluateAsync(db, new
                {
                    instances = redis.Key(InstancesKey),
                    applied = redis.Key(AppliedKey),
                    heartbeatPrefix = redis.Options.Prefix + ":" + HeartbeatPrefix,
                    generation,
                }))!;
                if (lagging.Length == 0)
                {
                    return;
                }

                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > deadline)
                {
                    LogBarrierTimedOut(logger, generation, string.Join(", ", lagging.Select(l => (string?)l)), deadline.TotalMilliseconds);
                    return;
                }

                await Task.Delay(5, ct);
            }
        }
        catch (RedisException ex)
        {
            // The change is committed; instances that missed it catch up from the generation counter.
            LogPublishFailed(logger, ClusterSignal.PluginsChanged, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other instances about {Kind}: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string kind, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin change {Generation}: instances {Instances} did not apply it within {TimeoutMs} ms; announcing it anyway")]
    private static partial void LogBarrierTimedOut(ILogger logger, long generation, string instances, double timeoutMs);
}

/// <summary>The newest plugin change this instance has applied (its own or another's).</summary>
internal sealed class ClusterGeneration
{
    private long applied;

    public long Applied => Volatile.Read(ref applied);

    public void Advance(long generation)
    {
        long current;
        while ((current = Volatile.Read(ref applied)) < generation && Interlocked.CompareExchange(ref applied, generation, current) != current)
        {
        }
    }
}
