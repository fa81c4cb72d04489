using System.Text;
using System.Text.Json;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Cluster;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// One message between the bus relays of two instances. Only hosts write these, on the cluster's
/// private Redis channels under its prefix; a card never reaches Redis, and every field a card
/// chose (topic, target, payload, its own ids) is checked on the sender's instance before it is
/// put here. The person and the sender's plugin come from the sending host's records.
/// </summary>
internal sealed record BusEnvelope(string Kind, string Origin, Guid UserId)
{
    public const string Publish = "publish";
    public const string Request = "request";
    public const string RequestClaimed = "request.claimed";
    public const string RequestDeclined = "request.declined";
    public const string Reply = "reply";
    public const string Call = "call";
    public const string CallClaimed = "call.claimed";
    public const string CallDeclined = "call.declined";
    public const string Answer = "answer";

    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal)
    {
        Publish, Request, RequestClaimed, RequestDeclined, Reply, Call, CallClaimed, CallDeclined, Answer,
    };

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The message, request or call id on the origin instance: unique for the person in the cluster (ids carry the origin's tag; counters are per person).</summary>
    public string Id { get; init; } = "";

    public string? Topic { get; init; }

    public string? SenderPlugin { get; init; }

    public string? SenderType { get; init; }

    public string? Target { get; init; }

    public long Timestamp { get; init; }

    public int TimeoutMs { get; init; }

    /// <summary>The payload, a call's input, or an answer's result.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>Calls: the provider's plugin, the version assigned to the person, its service and the method.</summary>
    public string? Provider { get; init; }

    public string? Version { get; init; }

    public string? ServiceId { get; init; }

    public string? Method { get; init; }

    /// <summary>Replies and answers.</summary>
    public bool Ok { get; init; }

    public BusErrorDto? Error { get; init; }

    /// <summary>Calls: the caller's user name, for the provider's log on the instance that runs it.</summary>
    public string? Actor { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// The envelope in <paramref name="bytes"/>, or null when it is not one this host writes (an
    /// unknown kind, no origin or person, an id that is not a bus id, an oversized payload).
    /// </summary>
    public static BusEnvelope? Parse(ReadOnlySpan<byte> bytes)
    {
        BusEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<BusEnvelope>(bytes, Json);
        }
        catch (JsonException)
        {
            return null;
        }

        if (envelope is null || !Kinds.Contains(envelope.Kind) || string.IsNullOrEmpty(envelope.Origin) || envelope.UserId == Guid.Empty
            || envelope.Id is not { Length: > 0 and <= 64 } || envelope.TimeoutMs < 0)
        {
            return null;
        }

        if (envelope.Kind is Publish or Request && (!TopicRules.IsValidTopic(envelope.Topic) || envelope.SenderPlugin is null || envelope.SenderType is null))
        {
            return null;
        }

        if (envelope.Kind is Call && (envelope.Provider is null || envelope.Version is null || envelope.ServiceId is null || envelope.Method is null || envelope.SenderPlugin is null))
        {
            return null;
        }

        // Checked on the sender's instance already; a second look costs little and keeps a bug there from becoming a flood here.
        if (envelope.Payload is { } payload && Encoding.UTF8.GetByteCount(payload.GetRawText()) > BusOptions.MaxPayloadBytes)
        {
            return null;
        }

        return envelope;
    }
}

/// <summary>
/// How the bus relay reaches the other instances. Redis pub/sub over the instance's one
/// <see cref="RedisConnection"/> rather than the SignalR backplane: the backplane can only send
/// to a connection, a group or a user, so a relay would have to know every remote tab's
/// subscriptions to pick receivers (and every instance would replicate every subscription). Instead,
/// as NATS routes a subject between servers, the sender's instance sends the checked message once
/// to every instance and each matches it against its own members only, so delivery, <c>once</c>
/// subscriptions and history stay where the tabs are.
/// </summary>
internal interface IBusCluster
{
    /// <summary>False on a single instance: nothing leaves this process.</summary>
    bool IsClustered { get; }

    /// <summary>Whether the other instances can be reached now.</summary>
    bool CanReach { get; }

    /// <summary>This instance's id, the <c>Origin</c> of what it sends.</summary>
    string InstanceId { get; }

    /// <summary>A short tag of this instance for ids, so ids minted on different instances never meet.</summary>
    string IdTag { get; }

    /// <summary>To every other instance, in order with everything else this instance sends; false when Redis is unreachable.</summary>
    bool Broadcast(BusEnvelope envelope);

    /// <summary>To one instance (an answer to what it sent).</summary>
    bool SendTo(string instance, BusEnvelope envelope);

    /// <summary>Live instances besides this one (the answers a broadcast request or call waits for).</summary>
    Task<int> PeersAsync();

    /// <summary>True for the one instance that claims <paramref name="key"/> first (who answers a request or call).</summary>
    Task<bool> ClaimAsync(string key, TimeSpan ttl);
}

/// <summary>A single instance: the bus stays in process, exactly as before scale-out.</summary>
internal sealed class LocalBusCluster : IBusCluster
{
    public bool IsClustered => false;

    public bool CanReach => false;

    public string InstanceId => "local";

    public string IdTag => "";

    public bool Broadcast(BusEnvelope envelope) => false;

    public bool SendTo(string instance, BusEnvelope envelope) => false;

    public Task<int> PeersAsync() => Task.FromResult(0);

    public Task<bool> ClaimAsync(string key, TimeSpan ttl) => Task.FromResult(true);
}

internal sealed partial class RedisBusCluster(RedisConnection redis, ClusterInstance instance, ILogger<RedisBusCluster> logger) : IBusCluster
{
    public const string Channel = "bus";

    // The live instances other than ARGV[1] (a heartbeat key that has not expired).
    private static readonly LuaScript PeersScript = LuaScript.Prepare("""
        local n = 0
        for _, m in ipairs(redis.call('SMEMBERS', @instances)) do
          if m ~= @self and redis.call('EXISTS', @heartbeatPrefix .. m) == 1 then
            n = n + 1
          end
        end
        return n
        """);

    public bool IsClustered => true;

    public bool CanReach => redis.IsConnected;

    public string InstanceId => instance.Id;

    public string IdTag { get; } = "-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(instance.Id)))[..8];

    public static string DirectChannel(string instanceId) => Channel + ":" + instanceId;

    public bool Broadcast(BusEnvelope envelope) => Send(Channel, envelope);

    public bool SendTo(string target, BusEnvelope envelope) => Send(DirectChannel(target), envelope);

    public async Task<int> PeersAsync()
    {
        var db = redis.RequireDatabase("This bus message");
        try
        {
            return (int)await PeersScript.EvaluateAsync(db, new
            {
                instances = redis.Key(RedisClusterSignals.InstancesKey),
                heartbeatPrefix = redis.Options.Prefix + ":" + RedisClusterSignals.HeartbeatPrefix,
                self = instance.Id,
            });
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new ClusterUnavailableException("This bus message needs the other server instances, and this one cannot reach Redis right now.", ex);
        }
    }

    public async Task<bool> ClaimAsync(string key, TimeSpan ttl)
    {
        try
        {
            return await redis.Database.StringSetAsync(redis.Key("bus:claim:" + key), instance.Id, ttl, When.NotExists);
        }
        catch (RedisException ex)
        {
            LogSendFailed(logger, "claim", ex.Message);
            return false;
        }
    }

    private bool Send(string channel, BusEnvelope envelope)
    {
        if (!redis.IsConnected)
        {
            return false;
        }

        try
        {
            // Fire and forget on the one connection: Redis delivers what one connection publishes in
            // the order it was published, which is the bus's per-sender ordering across instances.
            redis.Multiplexer.GetSubscriber().Publish(redis.Channel(channel), envelope.Serialize(), CommandFlags.FireAndForget);
            return true;
        }
        catch (RedisException ex)
        {
            LogSendFailed(logger, envelope.Kind, ex.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus: could not send {Kind} to the other instances: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string kind, string error);
}

/// <summary>
/// Hears the other instances' bus messages (the shared channel and this instance's own) and hands
/// each to the relay, one at a time in arrival order per channel. What this instance sent itself
/// is ignored: one publish is delivered once per matching member in the whole cluster.
/// </summary>
internal sealed partial class BusClusterListener(RedisConnection redis, IBusCluster cluster, BusRelay relay, ILogger<BusClusterListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var shared = await SubscribeAsync(RedisBusCluster.Channel, stoppingToken);
        var direct = await SubscribeAsync(RedisBusCluster.DirectChannel(cluster.InstanceId), stoppingToken);
        if (shared is null || direct is null)
        {
            return;
        }

        await Task.WhenAll(ListenAsync(shared, stoppingToken), ListenAsync(direct, stoppingToken));
        await shared.UnsubscribeAsync();
        await direct.UnsubscribeAsync();
    }

    private async Task<ChannelMessageQueue?> SubscribeAsync(string channel, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                return await redis.Multiplexer.GetSubscriber().SubscribeAsync(redis.Channel(channel));
            }
            catch (RedisException ex)
            {
                // Once registered, the multiplexer restores the subscription after a reconnect.
                LogReceiveFailed(logger, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private async Task ListenAsync(ChannelMessageQueue queue, CancellationToken ct)
    {
        try
        {
            await foreach (var message in queue.WithCancellation(ct).ConfigureAwait(false))
            {
                var envelope = message.Message.IsNull ? null : BusEnvelope.Parse((byte[])message.Message!);
                if (envelope is null)
                {
                    LogDropped(logger);
                    continue;
                }

                if (envelope.Origin == cluster.InstanceId)
                {
                    continue;
                }

                try
                {
                    await relay.OnRemoteAsync(envelope);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHandleFailed(logger, envelope.Kind, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus: could not subscribe to the other instances: {Error}")]
    private static partial void LogReceiveFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus: dropped a message on the cluster channel that is not a bus envelope")]
    private static partial void LogDropped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus: handling {Kind} from another instance failed")]
    private static partial void LogHandleFailed(ILogger logger, string kind, Exception ex);
}

/// <summary>A request or call offered to the other instances: how many must answer, how many declined, and who took it.</summary>
internal sealed class PeerWait(int expected)
{
    public int Expected { get; } = expected;

    public int Declined { get; set; }

    public string? Claimer { get; set; }

    /// <summary>True when every instance declined and none claimed it: nobody will answer.</summary>
    public bool Decline()
    {
        Declined++;
        return Claimer is null && Declined >= Expected;
    }
}
