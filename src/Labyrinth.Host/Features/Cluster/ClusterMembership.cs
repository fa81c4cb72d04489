using System.Text.Json;
using Labyrinth.Host.Features.Apps;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Cluster;

/// <summary>
/// This instance as a member of the cluster: a heartbeat in Redis every second (so barriers know
/// who is live), the listener that applies the others' signals here, and a catch-up that reloads
/// the plugins when the change counter moved without this instance hearing of it (a dropped
/// connection, a message lost while reconnecting).
/// </summary>
internal sealed partial class ClusterMembership(
    RedisConnection redis,
    ClusterInstance instance,
    PluginCatalog catalog,
    PluginAccess access,
    CardGrantSignals cardGrants,
    ServiceGrantSignals serviceGrants,
    BusRelay bus,
    ClusterGeneration applied,
    ClusterPreparation preparation,
    ILogger<ClusterMembership> logger) : BackgroundService
{
    private readonly SemaphoreSlim reloadGate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await SubscribeAsync();
        var heartbeat = TimeSpan.FromSeconds(1);
        var listening = ListenAsync(queue, stoppingToken);
        using var timer = new PeriodicTimer(heartbeat);
        do
        {
            try
            {
                await BeatAsync();
            }
            catch (Exception ex) when (ex is RedisException or ClusterUnavailableException)
            {
                LogHeartbeatFailed(logger, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));

        await queue.UnsubscribeAsync();
        await listening;
        try
        {
            var db = redis.Database;
            await db.SetRemoveAsync(redis.Key(RedisClusterSignals.InstancesKey), instance.Id);
            await db.KeyDeleteAsync(HeartbeatKey);
        }
        catch (RedisException)
        {
            // Leaving while Redis is gone: the heartbeat key expires on its own.
        }
    }

    private RedisKey HeartbeatKey => redis.Key(RedisClusterSignals.HeartbeatPrefix + instance.Id);

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<ChannelMessageQueue> SubscribeAsync()
    {
        while (true)
        {
            try
            {
                return await redis.Multiplexer.GetSubscriber().SubscribeAsync(redis.Channel(RedisClusterSignals.SignalsChannel));
            }
            catch (RedisException ex)
            {
                // Subscriptions made while disconnected are restored by the multiplexer on reconnect,
                // but the first one needs a connection to be registered at all.
                LogHeartbeatFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private async Task BeatAsync()
    {
        var db = redis.RequireDatabase("The heartbeat");
        var timeout = TimeSpan.FromSeconds(redis.Options.InstanceTimeoutSeconds);
        var generation = (long?)await db.StringGetAsync(redis.Key(RedisClusterSignals.GenerationKey)) ?? 0;
        if (generation > applied.Applied)
        {
            // First beat (the catalog was loaded from the database at start) or a missed change.
            await ReloadAsync(generation, CancellationToken.None);
        }

        await db.StringSetAsync(HeartbeatKey, instance.Id, timeout);
        await db.SetAddAsync(redis.Key(RedisClusterSignals.InstancesKey), instance.Id);
    }

    private async Task ListenAsync(ChannelMessageQueue queue, CancellationToken ct)
    {
        // One message at a time, in publication order: a revoke never overtakes an earlier change.
        await foreach (var message in queue.WithCancellation(ct).ConfigureAwait(false))
        {
            try
            {
                var signal = JsonSerializer.Deserialize<ClusterSignal>((string)message.Message!, RedisClusterSignals.Json);
                if (signal is null || signal.Origin == instance.Id)
                {
                    continue;
                }

                await ApplyAsync(signal, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogApplyFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    private async Task ApplyAsync(ClusterSignal signal, CancellationToken ct)
    {
        switch (signal.Kind)
        {
            case ClusterSignal.CardCapabilityRevoked when signal is { BoardId: { } board, WindowId: { } window, Capability: { } capability }:
                cardGrants.RevokeHere(board, window, capability);
                break;
            case ClusterSignal.CardRevoked when signal is { BoardId: { } board, WindowId: { } window }:
                cardGrants.RevokeCardHere(board, window);
                break;
            case ClusterSignal.BoardRevoked when signal is { BoardId: { } board }:
                cardGrants.RevokeBoardHere(board);
                break;
            case ClusterSignal.ServiceCapabilityRevoked when signal is { PluginId: { } plugin, Capability: { } capability }:
                serviceGrants.RevokeHere(plugin, capability);
                break;
            case ClusterSignal.ServicePluginRevoked when signal is { PluginId: { } plugin }:
                serviceGrants.RevokePluginHere(plugin);
                break;
            case ClusterSignal.PluginsChanged:
                await ReloadAsync(signal.Generation, ct);
                break;
            case ClusterSignal.PluginsPrepare when signal.Versions is { } versions:
                // Off the ordered loop: loading a package takes a while, and a kill published
                // meanwhile must not queue behind it.
                _ = PrepareAsync(signal.Generation, versions, ct);
                break;
        }
    }

    private async Task PrepareAsync(long proposal, IReadOnlyList<PreparedVersion> versions, CancellationToken ct)
    {
        try
        {
            await preparation.PrepareAsync(proposal, versions, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Unanswered: the proposer's wait ends in cluster.not_prepared and nothing changes.
            LogApplyFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>What the origin did after its own change, done here: reload, stop what is no longer usable, acknowledge.</summary>
    private async Task ReloadAsync(long generation, CancellationToken ct)
    {
        await reloadGate.WaitAsync(ct);
        try
        {
            if (generation <= applied.Applied)
            {
                return;
            }

            await catalog.ReloadAsync(ct);
            await access.ReloadAsync(ct);
            foreach (var stopped in catalog.All.Where(p => !p.IsUsable))
            {
                serviceGrants.RevokePluginHere(stopped.Id);
            }

            cardGrants.RevokeStoppedHere(catalog);
            await bus.EvictStoppedAsync();
            applied.Advance(generation);
            await RedisClusterSignals.AcknowledgeAsync(redis, instance.Id, generation);
        }
        finally
        {
            reloadGate.Release();
        }
    }

    public override void Dispose()
    {
        reloadGate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster heartbeat failed: {Error}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply a signal from another instance ({ExceptionType}): {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string exceptionType, string error);
}
