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
    public const string PluginsPrepare = "plugins-prepare";

    public Guid? BoardId { get; init; }

    public string? WindowId { get; init; }

    public string? Capability { get; init; }

    public string? PluginId { get; init; }

    /// <summary>For <see cref="PluginsChanged"/>: the cluster's change counter, acknowledged by each instance once applied.</summary>
    public long Generation { get; init; }

    /// <summary>For <see cref="PluginsPrepare"/> (whose <see cref="Generation"/> is the proposal number): the versions to load before the change commits.</summary>
    public IReadOnlyList<Plugins.PreparedVersion>? Versions { get; init; }
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
    /// The first phase of a change that offers something new (install, enable, upgrade, rollback,
    /// rollout): every live instance, this one included, loads <paramref name="versions"/> without
    /// offering them and says so. Returns once all of them have, before the caller commits; throws
    /// <see cref="ClusterUnavailableException"/> (<c>cluster.not_prepared</c>) when one refuses or
    /// does not answer in time, and the caller then commits nothing.
    /// </summary>
    Task PrepareAsync(IReadOnlyList<Plugins.PreparedVersion> versions, CancellationToken ct = default);

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

    // One instance has nobody to wait for: the commit's reload loads the versions, as before.
    public Task PrepareAsync(IReadOnlyList<Plugins.PreparedVersion> versions, CancellationToken ct = default) => Task.CompletedTask;

    public Task AnnounceChangeAsync(CancellationToken ct = default) => Task.CompletedTask;
}

internal sealed partial class RedisClusterSignals(
    RedisConnection redis, ClusterInstance instance, ClusterGeneration applied, ClusterPreparation preparation, ILogger<RedisClusterSignals> logger) : IClusterSignals
{
    public const string ProposalKey = "proposal";
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

    // The live instances that have not prepared proposal @prepared yet ("?id") or refused it
    // ("!id: why"). Forgetting dead instances is left to the lagging script.
    private static readonly LuaScript UnpreparedScript = LuaScript.Prepare("""
        local pending = {}
        for _, m in ipairs(redis.call('SMEMBERS', @instances)) do
          if redis.call('EXISTS', @heartbeatPrefix .. m) == 1 then
            local answer = redis.call('HGET', @prepared, m)
            if not answer then
              table.insert(pending, '?' .. m)
            elseif answer ~= @ready then
              table.insert(pending, '!' .. m .. ': ' .. answer)
            end
          end
        end
        return pending
        """);

    public bool CanCoordinate => redis.IsConnected;

    public async Task PrepareAsync(IReadOnlyList<Plugins.PreparedVersion> versions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count == 0)
        {
            return;
        }

        var what = string.Join(", ", versions.Select(v => v.PluginId + "@" + v.Version));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long proposal;
        try
        {
            proposal = await redis.Database.StringIncrementAsync(redis.Key(ProposalKey));
            await redis.Multiplexer.GetSubscriber().PublishAsync(redis.Channel(SignalsChannel),
                JsonSerializer.Serialize(new ClusterSignal(ClusterSignal.PluginsPrepare, instance.Id) { Generation = proposal, Versions = versions }, Json));
        }
        catch (RedisException ex)
        {
            throw new ClusterUnavailableException($"Offering {what} must reach every server instance, and Redis cannot be reached right now, so nothing was changed. Try again in a moment.", ex);
        }

        // The others load in parallel with this one.
        await preparation.PrepareAsync(proposal, versions, ct);
        var deadline = TimeSpan.FromMilliseconds(redis.Options.PrepareTimeoutMilliseconds);
        while (true)
        {
            string[] pending;
            try
            {
                pending = ((RedisResult[])(await UnpreparedScript.EvaluateAsync(redis.Database, new
                {
                    instances = redis.Key(InstancesKey),
                    prepared = redis.Key(ClusterPreparation.PreparedPrefix + proposal),
                    heartbeatPrefix = redis.Options.Prefix + ":" + HeartbeatPrefix,
                    ready = ClusterPreparation.Ready,
                }))!).Select(r => (string)r!).ToArray();
            }
            catch (RedisException ex)
            {
                throw new ClusterUnavailableException($"Redis went away while every server instance was loading {what}, so nothing was changed. Try again in a moment.", ex);
            }

            if (pending.Length == 0)
            {
                return;
            }

            var refused = pending.Where(p => p.StartsWith('!')).Select(p => p[1..]).ToArray();
            if (refused.Length > 0)
            {
                LogPrepareRefused(logger, proposal, string.Join("; ", refused));
                throw new ClusterUnavailableException(
                    $"Not every server instance can serve {what} ({string.Join("; ", refused)}), so nothing was changed and every instance still offers what it offered before.",
                    code: Labyrinth.Core.Errors.ErrorCodes.ClusterNotPrepared);
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > deadline)
            {
                var silent = string.Join(", ", pending.Select(p => p[1..]));
                LogPrepareTimedOut(logger, proposal, silent, deadline.TotalMilliseconds);
                throw new ClusterUnavailableException(
                    $"Server instance(s) {silent} did not finish loading {what} within {deadline.TotalSeconds:0.#} s, so nothing was changed and every instance still offers what it offered before. " +
                    $"Try again; an instance that stopped answering leaves the cluster {redis.Options.InstanceTimeoutSeconds} s after its last heartbeat.",
                    code: Labyrinth.Core.Errors.ErrorCodes.ClusterNotPrepared);
            }

            await Task.Delay(5, ct);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin proposal {Proposal} abandoned: {Refusals}")]
    private static partial void LogPrepareRefused(ILogger logger, long proposal, string refusals);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin proposal {Proposal} abandoned: instances {Instances} did not prepare it within {TimeoutMs} ms")]
    private static partial void LogPrepareTimedOut(ILogger logger, long proposal, string instances, double timeoutMs);

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

/// <summary>
/// This instance's part in the first phase of a change: load the proposed versions into memory
/// (not offered until the change commits) and record the answer, "ok" or why not, in Redis for the
/// instance that proposed it.
/// </summary>
internal sealed partial class ClusterPreparation(RedisConnection redis, ClusterInstance instance, Plugins.PluginCatalog catalog, ILogger<ClusterPreparation> logger)
{
    public const string PreparedPrefix = "prepared:";
    public const string Ready = "ok";

    /// <summary>Runs before this instance answers a proposal. Tests set it to play an instance that is slow or cannot load.</summary>
    internal Func<long, CancellationToken, Task>? BeforeAnswer { get; set; }

    public async Task PrepareAsync(long proposal, IReadOnlyList<Plugins.PreparedVersion> versions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(versions);
        string answer;
        try
        {
            if (BeforeAnswer is { } hook)
            {
                await hook(proposal, ct);
            }

            answer = await catalog.PrepareAsync(versions, ct) ?? Ready;
            if (answer != Ready)
            {
                LogCannotPrepare(logger, proposal, answer, null);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The answer ends up in the proposer's 503 for an admin: what kind of failure, never the
            // exception's own message (an I/O error names a server path, a driver error a host).
            answer = Why(ex);
            LogCannotPrepare(logger, proposal, answer, ex);
        }

        var key = redis.Key(PreparedPrefix + proposal);
        var db = redis.Database;
        await db.HashSetAsync(key, instance.Id, answer);
        // Only the proposer reads the answers, within its timeout.
        await db.KeyExpireAsync(key, TimeSpan.FromMinutes(5));
    }

    private static string Why(Exception ex) =>
        (Infrastructure.StorageErrors.IsFull(ex) ? "its disk is full"
            : ex is IOException or UnauthorizedAccessException ? "it cannot read or write its plugin files"
            : ex is System.Data.Common.DbException ? "it cannot read the database"
            : ex is RedisException ? "it cannot reach Redis"
            : "it failed unexpectedly (" + ex.GetType().Name + ")") + "; its log says more";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot prepare plugin proposal {Proposal}: {Reason}")]
    private static partial void LogCannotPrepare(ILogger logger, long proposal, string reason, Exception? exception);
}
