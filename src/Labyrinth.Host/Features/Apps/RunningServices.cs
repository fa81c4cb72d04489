using System.Collections.Concurrent;
using System.Text.Json;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Cluster;
using StackExchange.Redis;

namespace Labyrinth.Host.Features.Apps;

/// <summary>A background service running in one tab, and the instance that tab is connected to (the Running apps panel's row).</summary>
internal sealed record RunningServiceState(
    string Instance, Guid UserId, string Tab, string PluginId, string Version, string ServiceId, DateTimeOffset Since, int CallsLastMinute, int MessagesLastMinute, long Errors);

/// <summary>Stop or restart a plugin's service (every one of its services when <c>ServiceId</c> is null) in a person's tabs, or in one tab.</summary>
internal sealed record ServiceControl(Guid UserId, string PluginId, string? ServiceId, string Action, string? Tab)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsValid => Action is "stop" or "restart" && PluginId is { Length: > 0 and <= 200 } && ServiceId is null or { Length: <= 200 } && Tab is null or { Length: <= 64 };
}

/// <summary>The instance that runs a service is gone, or did not answer in time; nothing was asked of its tabs that this host knows of.</summary>
internal sealed class ServiceInstanceUnavailableException(string instance, string detail) : Exception(detail)
{
    public string Instance { get; } = instance;
}

/// <summary>
/// The services running in people's tabs across the deployment, for the Running apps panel. Tabs
/// run services in the browser and hold their bus connection to one instance, so only that
/// instance can reach them: a single instance lists and controls its own; in a cluster each
/// instance publishes what its tabs run to Redis and takes stop/restart requests for them there.
/// </summary>
internal interface IRunningServices
{
    /// <summary>The services of <paramref name="userId"/>'s tabs (everyone's when null) on every live instance.</summary>
    Task<IReadOnlyList<RunningServiceState>> ListAsync(Guid? userId, CancellationToken ct);

    /// <summary>
    /// Asks the tabs on <paramref name="instance"/> (this one when null) to stop or restart the
    /// service, and answers how many tabs were asked (0: none runs it there).
    /// </summary>
    /// <exception cref="ServiceInstanceUnavailableException">The instance is gone or did not acknowledge within the deadline.</exception>
    /// <exception cref="ClusterUnavailableException">Redis cannot be reached, so another instance cannot be.</exception>
    Task<int> ControlAsync(string? instance, ServiceControl control, CancellationToken ct);
}

internal static class RunningServicesHere
{
    public static IEnumerable<RunningServiceState> List(BusRelay relay, string instance, Guid? userId) =>
        relay.RunningServices(userId).Select(r => new RunningServiceState(
            instance, r.UserId, TabOf(r.Connection), r.PluginId, r.Version, r.ServiceId, r.Since, r.CallsLastMinute, r.MessagesLastMinute, r.Errors));

    /// <summary>Asks this instance's tabs; 0 when <c>Tab</c> names none of the person's tabs running a service here.</summary>
    public static async Task<int> ControlAsync(BusRelay relay, ServiceControl control)
    {
        var connection = control.Tab is null ? null : relay.RunningServices(control.UserId).FirstOrDefault(r => TabOf(r.Connection) == control.Tab)?.Connection;
        if (control.Tab is not null && connection is null)
        {
            return 0;
        }

        return await relay.ControlServiceAsync(control.UserId, control.PluginId, control.ServiceId, control.Action, connection);
    }

    /// <summary>A tab's name in the panel: a digest of its connection id, which itself stays on the server that holds it.</summary>
    public static string TabOf(string connectionId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(connectionId)))[..12];
}

/// <summary>One instance: its own tabs are all there is.</summary>
internal sealed class LocalRunningServices(BusRelay relay, ClusterInstance instance) : IRunningServices
{
    public Task<IReadOnlyList<RunningServiceState>> ListAsync(Guid? userId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RunningServiceState>>([.. RunningServicesHere.List(relay, instance.Id, userId)]);

    public Task<int> ControlAsync(string? target, ServiceControl control, CancellationToken ct) =>
        target is null || target == instance.Id
            ? RunningServicesHere.ControlAsync(relay, control)
            : throw new ServiceInstanceUnavailableException(target, $"There is no server instance \"{target}\"; refresh the list.");
}

/// <summary>
/// Several instances: every second each publishes its tabs' services to
/// <c>&lt;prefix&gt;:apps:running:&lt;instance&gt;</c> (expiring after <c>InstanceTimeoutSeconds</c>,
/// deleted when the instance stops), and listens on <c>&lt;prefix&gt;:apps:control:&lt;instance&gt;</c>
/// for stop/restart requests, which it carries out on its own tabs and acknowledges on the
/// requester's <c>…:apps:control-reply:&lt;instance&gt;</c> with the number of tabs asked. Only hosts
/// write these keys and channels; what arrives is parsed and checked again before it is acted on.
/// </summary>
internal sealed partial class RedisRunningServices(RedisConnection redis, ClusterInstance instance, BusRelay relay, ILogger<RedisRunningServices> logger)
    : BackgroundService, IRunningServices
{
    /// <summary>How often an instance republishes its list (the panel's rows for other instances are at most this old).</summary>
    public static readonly TimeSpan PublishInterval = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<int>> pending = new(StringComparer.Ordinal);

    private static string StateKey(string instanceId) => "apps:running:" + instanceId;

    private static string ControlChannel(string instanceId) => "apps:control:" + instanceId;

    private static string ReplyChannel(string instanceId) => "apps:control-reply:" + instanceId;

    /// <summary>How long a stop/restart waits for the owning instance's acknowledgement.</summary>
    private TimeSpan Deadline => TimeSpan.FromMilliseconds(Math.Max(redis.Options.BarrierTimeoutMilliseconds, 500));

    public async Task<IReadOnlyList<RunningServiceState>> ListAsync(Guid? userId, CancellationToken ct)
    {
        var rows = RunningServicesHere.List(relay, instance.Id, userId).ToList();
        var db = redis.RequireDatabase("Listing every instance's services");
        try
        {
            var others = (await db.SetMembersAsync(redis.Key(RedisClusterSignals.InstancesKey)))
                .Select(m => (string?)m).Where(m => m is { Length: > 0 } && m != instance.Id).Select(m => m!).ToArray();
            var states = others.Length == 0 ? [] : await db.StringGetAsync([.. others.Select(o => redis.Key(StateKey(o)))]);
            for (var i = 0; i < others.Length; i++)
            {
                if (states[i].IsNullOrEmpty)
                {
                    continue;
                }

                var published = Parse((byte[])states[i]!);
                rows.AddRange(published.Where(r => r.Instance == others[i] && (userId is null || r.UserId == userId)));
            }
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new ClusterUnavailableException("Listing every instance's services needs Redis, and this instance cannot reach it right now. Try again in a moment.", ex);
        }

        return rows;
    }

    public async Task<int> ControlAsync(string? target, ServiceControl control, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(control);
        if (target is null || target == instance.Id)
        {
            return await RunningServicesHere.ControlAsync(relay, control);
        }

        var db = redis.RequireDatabase("Stopping or restarting a service on another instance");
        var id = Guid.NewGuid().ToString("N");
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        try
        {
            if (!await db.KeyExistsAsync(redis.Key(StateKey(target))))
            {
                throw Gone(target);
            }

            var message = JsonSerializer.SerializeToUtf8Bytes(new ControlMessage(id, instance.Id, control), Json);
            var heard = await redis.Multiplexer.GetSubscriber().PublishAsync(redis.Channel(ControlChannel(target)), message);
            if (heard == 0)
            {
                throw Gone(target);
            }

            return await reply.Task.WaitAsync(Deadline, ct);
        }
        catch (TimeoutException)
        {
            throw new ServiceInstanceUnavailableException(target,
                $"The server instance \"{target}\" that runs this service did not confirm within {Deadline.TotalSeconds:0.#} s; it may be stopping. Refresh the list and try again.");
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            throw new ClusterUnavailableException("Stopping or restarting a service on another instance needs Redis, and this instance cannot reach it right now. Try again in a moment.", ex);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.Multiplexer.GetSubscriber();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await subscriber.SubscribeAsync(redis.Channel(ControlChannel(instance.Id)), (channel, message) => _ = OnControlAsync(message));
                await subscriber.SubscribeAsync(redis.Channel(ReplyChannel(instance.Id)), (channel, message) => OnReply(message));
                break;
            }
            catch (RedisException ex)
            {
                // Once registered, the multiplexer restores the subscriptions after a reconnect.
                LogRedisFailed(logger, ex.Message);
                if (!await DelayAsync(PublishInterval, stoppingToken))
                {
                    return;
                }
            }
        }

        using var timer = new PeriodicTimer(PublishInterval);
        do
        {
            await PublishAsync();
        }
        while (await WaitAsync(timer, stoppingToken));

        try
        {
            await subscriber.UnsubscribeAsync(redis.Channel(ControlChannel(instance.Id)));
            await subscriber.UnsubscribeAsync(redis.Channel(ReplyChannel(instance.Id)));
            await redis.Database.KeyDeleteAsync(redis.Key(StateKey(instance.Id)));
        }
        catch (RedisException)
        {
            // Leaving while Redis is gone: the list expires on its own.
        }
    }

    private async Task PublishAsync()
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            var rows = RunningServicesHere.List(relay, instance.Id, null).ToArray();
            await redis.Database.StringSetAsync(redis.Key(StateKey(instance.Id)), JsonSerializer.SerializeToUtf8Bytes(rows, Json),
                TimeSpan.FromSeconds(redis.Options.InstanceTimeoutSeconds));
        }
        catch (RedisException ex)
        {
            LogRedisFailed(logger, ex.Message);
        }
    }

    private async Task OnControlAsync(RedisValue value)
    {
        ControlMessage? message;
        try
        {
            message = value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ControlMessage>((byte[])value!, Json);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is not { Id.Length: > 0 and <= 64, ReplyTo.Length: > 0 and <= 200, Control: { } control } || !control.IsValid)
        {
            LogDropped(logger);
            return;
        }

        try
        {
            var tabs = await RunningServicesHere.ControlAsync(relay, control);
            await redis.Multiplexer.GetSubscriber().PublishAsync(redis.Channel(ReplyChannel(message.ReplyTo)),
                JsonSerializer.SerializeToUtf8Bytes(new ControlReply(message.Id, tabs), Json));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The requester's deadline answers the admin.
            LogControlFailed(logger, ex);
        }
    }

    private void OnReply(RedisValue value)
    {
        try
        {
            if (!value.IsNullOrEmpty && JsonSerializer.Deserialize<ControlReply>((byte[])value!, Json) is { Id: { } id, Tabs: >= 0 } reply
                && pending.TryGetValue(id, out var waiting))
            {
                waiting.TrySetResult(reply.Tabs);
            }
        }
        catch (JsonException)
        {
            LogDropped(logger);
        }
    }

    private static RunningServiceState[] Parse(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<RunningServiceState[]>(bytes, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static ServiceInstanceUnavailableException Gone(string target) =>
        new(target, $"The server instance \"{target}\" that ran this service is gone (its tabs reconnect to another instance). Refresh the list.");

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

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record ControlMessage(string Id, string ReplyTo, ServiceControl Control);

    private sealed record ControlReply(string Id, int Tabs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Running apps: Redis failed: {Error}")]
    private static partial void LogRedisFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Running apps: dropped a message on the control channel that is not one this host writes")]
    private static partial void LogDropped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Running apps: a stop/restart asked by another instance failed here")]
    private static partial void LogControlFailed(ILogger logger, Exception ex);
}
