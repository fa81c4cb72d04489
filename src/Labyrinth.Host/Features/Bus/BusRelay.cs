using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Plugins;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// The server side of the workspace bus (docs/api.md "Message bus"): one <see cref="BusEngine"/>
/// per person holding every member (open card) of every connection (tab) of that person. Each
/// page delivers its own messages to its own members at once; this relays them to the person's
/// other connections, routes requests to the one responder the rules pick, keeps the history and
/// enforces the rules again, trusting nothing the page says: the plugin, its declared topics and
/// its grant come from the host's own records, payloads are measured, and rates are per plugin.
/// </summary>
internal sealed partial class BusRelay(
    IHubContext<BusHub> hub, TimeProvider clock, IOptions<BusOptions> options, PluginCatalog catalog, Rollouts.PluginAccess access, Apps.PluginLogs logs,
    Observability.LabyrinthMetrics metrics, Cluster.SharedRateLimits limits, IBusCluster cluster, ILogger<BusRelay> logger)
{
    private const char Separator = '|';
    private const string StoppedDetail = "This plugin is disabled or stopped by an admin, or not available to you in this version.";

    private readonly ConcurrentDictionary<Guid, Workspace> workspaces = new();
    private readonly ConcurrentDictionary<string, Connection> connections = new(StringComparer.Ordinal);

    private BusOptions Options => options.Value;

    /// <summary>Refused calls (for tests and the metadata panel); metrics and audit are the hub's.</summary>
    public long Refusals => Interlocked.Read(ref refusals);

    private long refusals;

    public async Task<BusAck> JoinAsync(string connectionId, Guid userId, string? handle, BusMemberRef? member, IBusMemberSource? source, CancellationToken ct)
    {
        if (!IsId(handle) || member is null)
        {
            return Refuse(ErrorCodes.BusInvalid, "Name the member with a handle of 1–64 letters, digits, - or _ and a member reference.");
        }

        // The reference is looked up in the database, which cannot take U+0000 in text (PostgreSQL
        // refuses the query); request bodies refuse it the same way (RequestJson).
        if (new[] { member.Kind, member.WindowId, member.PluginId, member.Version, member.ServiceId, member.Path }.Any(s => s?.Contains('\0', StringComparison.Ordinal) == true))
        {
            return Refuse(ErrorCodes.BusInvalid, "A member reference is text without the character U+0000 (NUL).");
        }

        if (source is null)
        {
            return Refuse(ErrorCodes.BusInvalid, $"\"{Clip(member.Kind)}\" is not a kind of bus member this host knows.");
        }

        var identity = await source.ResolveAsync(userId, member, ct);
        if (identity is null)
        {
            return Refuse(ErrorCodes.BusMemberNotFound, "That card is not on one of your boards.");
        }

        if (BusMemberState.MayNotRun(catalog, access, userId, identity))
        {
            return Refuse(ErrorCodes.BusPluginStopped, StoppedDetail);
        }

        var (granted, revoked) = await source.GrantAsync(identity, ct);
        var connection = connections.GetOrAdd(connectionId, _ => new Connection(userId));
        if (connection.UserId != userId)
        {
            return Refuse(ErrorCodes.BusInvalid, "This connection belongs to another person.");
        }

        var ws = workspaces.GetOrAdd(userId, _ => new Workspace(Options, cluster.IdTag));
        Member fresh;
        IReadOnlyList<BusPendingRequest> orphaned = [];
        IReadOnlyList<CallRoute> orphanedCalls = [];
        lock (ws.Gate)
        {
            if (connection.Members.TryGetValue(handle!, out var old))
            {
                orphaned = RemoveLocked(ws, connection, old);
                orphanedCalls = TakeCallsLocked(ws, old);
            }
            else if (connection.Members.Count >= Options.MaxMembersPerConnection)
            {
                return Refuse(ErrorCodes.BusRateLimited, $"A tab may have at most {Options.MaxMembersPerConnection} bus members.");
            }

            fresh = new Member(connectionId, handle!, identity, userId, clock.GetUtcNow());
            connection.Members[handle!] = fresh;
            ws.Members[fresh.Key] = fresh;
        }

        await FailOrphansAsync(ws, orphaned, "The responder closed before answering.");
        await FailCallsAsync(ws, orphanedCalls);
        if (granted)
        {
            Grant(ws, fresh, revoked);
        }

        return BusAck.Success;
    }

    public async Task<BusAck> LeaveAsync(string connectionId, string? handle)
    {
        if (!TryMember(connectionId, handle, out var ws, out var connection, out var member))
        {
            return BusAck.Success;
        }

        IReadOnlyList<BusPendingRequest> orphaned;
        IReadOnlyList<CallRoute> orphanedCalls;
        lock (ws.Gate)
        {
            orphaned = RemoveLocked(ws, connection, member);
            orphanedCalls = TakeCallsLocked(ws, member);
        }

        await FailOrphansAsync(ws, orphaned, "The responder closed before answering.");
        await FailCallsAsync(ws, orphanedCalls);
        return BusAck.Success;
    }

    /// <summary>The connection closed: every member it held leaves.</summary>
    public async Task DisconnectedAsync(string connectionId)
    {
        if (!connections.TryRemove(connectionId, out var connection) || !workspaces.TryGetValue(connection.UserId, out var ws))
        {
            return;
        }

        var orphaned = new List<BusPendingRequest>();
        var orphanedCalls = new List<CallRoute>();
        lock (ws.Gate)
        {
            foreach (var member in connection.Members.Values.ToList())
            {
                orphaned.AddRange(RemoveLocked(ws, connection, member));
                orphanedCalls.AddRange(TakeCallsLocked(ws, member));
            }
        }

        await FailOrphansAsync(ws, orphaned, "The responder's tab closed before answering.");
        await FailCallsAsync(ws, orphanedCalls);
    }

    public async Task<BusAck> SubscribeAsync(string connectionId, string? handle, BusSubscribeRequest? request, IBusMemberSource? source, CancellationToken ct)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return NotMember();
        }

        if (request is null || !IsId(request.Sub) || !TopicRules.IsValidPattern(request.Pattern) || (request.From is not null && !IsPluginId(request.From)))
        {
            return Refuse(ErrorCodes.BusInvalid, "A subscription needs an id, a topic pattern like \"math:*:changed\" and, optionally, a plugin id in from.");
        }

        // Responders answer requests on topics they could receive: both need a declared subscribe pattern.
        if (!member.Identity.Topics.Subscribe.Any(p => TopicRules.Covers(p, request.Pattern)))
        {
            return Refuse(ErrorCodes.BusTopicNotDeclared, $"{member.Identity.PluginId} does not declare \"{request.Pattern}\" under topics.subscribe.");
        }

        if (await CheckGrantAsync(ws, member, source, ct) is { } refused)
        {
            return refused;
        }

        lock (ws.Gate)
        {
            if (!ws.Members.ContainsKey(member.Key))
            {
                return NotMember();
            }

            var subscription = new BusSubscription(
                member.Key + Separator + request.Sub, member.Key, member.Identity.PluginId, request.Pattern!, request.Priority ?? 0, request.Once ?? false,
                request.From, request.Responds ?? false);
            return ws.Engine.Subscribe(subscription) switch
            {
                BusSubscribeResult.Ok => BusAck.Success,
                BusSubscribeResult.TooMany => Refuse(ErrorCodes.BusRateLimited, $"A member may hold at most {ws.Engine.Options.MaxSubscriptionsPerMember} subscriptions."),
                BusSubscribeResult.DuplicateId => Refuse(ErrorCodes.BusInvalid, "That subscription id is in use."),
                _ => Refuse(ErrorCodes.BusInvalid, "That is not a topic pattern."),
            };
        }
    }

    public BusAck Unsubscribe(string connectionId, string? handle, string? sub)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member) || !IsId(sub))
        {
            return BusAck.Success;
        }

        lock (ws.Gate)
        {
            ws.Engine.Unsubscribe(member.Key + Separator + sub);
        }

        return BusAck.Success;
    }

    public async Task<BusAck> PublishAsync(string connectionId, string? handle, BusPublishRequest? request, IBusMemberSource? source, CancellationToken ct)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return NotMember();
        }

        if (request is null)
        {
            return Refuse(ErrorCodes.BusInvalid, "A publish needs a topic and a payload.");
        }

        var (payloadJson, refused) = await CheckSendAsync(ws, member, request.Topic, request.Payload, request.Target, SendKind.Publish, source, ct);
        if (refused is not null)
        {
            return refused;
        }

        var message = new BusMessage(ws.NextId("m"), request.Topic!, member.Key, member.Identity.PluginId, member.Identity.TypeID, request.Target,
            clock.GetUtcNow().ToUnixTimeMilliseconds(), payloadJson!);
        var payload = Payload(request.Payload);
        lock (ws.Gate)
        {
            member.Messages.Add(clock.GetUtcNow());
        }

        // The other instances get it checked (the person and the sender from this host's records);
        // with Redis unreachable, this instance's tabs still get it and the others do not.
        if (cluster.IsClustered)
        {
            cluster.Broadcast(new BusEnvelope(BusEnvelope.Publish, cluster.InstanceId, member.UserId)
            {
                Id = message.Id, Topic = message.Topic, SenderPlugin = message.SenderPlugin, SenderType = message.SenderType, Target = message.Target,
                Timestamp = message.Timestamp, Payload = payload,
            });
        }

        await DeliverAsync(ws, message, payload, connectionId);
        return BusAck.Success;
    }

    /// <summary>Sends <paramref name="message"/> to every matching subscription of this instance's tabs but the sender's own, and records it.</summary>
    private async Task DeliverAsync(Workspace ws, BusMessage message, JsonElement payload, string? senderConnection)
    {
        var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        lock (ws.Gate)
        {
            ws.Engine.Publish(message, ws.Scratch);
            foreach (var s in ws.Scratch)
            {
                var (conn, sub) = Split(s.Id);
                // The sender's own tab delivered to its members already.
                if (conn == senderConnection)
                {
                    continue;
                }

                if (!targets.TryGetValue(conn, out var subs))
                {
                    targets[conn] = subs = [];
                }

                subs.Add(sub);
            }
        }

        if (targets.Count > 0)
        {
            var from = new BusSenderDto(message.SenderPlugin, message.SenderType);
            await Task.WhenAll(targets.Select(t => Send(t.Key, "busEvent",
                new BusEventDto([.. t.Value], message.Id, message.Topic, payload, from, message.Target, message.Timestamp))));
        }
    }

    public async Task<BusAck> RequestAsync(string connectionId, string? handle, BusRequestRequest? request, IBusMemberSource? source, CancellationToken ct)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return NotMember();
        }

        if (request is null || !IsId(request.Id) || request.TimeoutMs is <= 0)
        {
            return Refuse(ErrorCodes.BusInvalid, "A request needs an id, a topic, a payload and, optionally, a positive timeoutMs.");
        }

        var (payloadJson, refused) = await CheckSendAsync(ws, member, request.Topic, request.Payload, request.Target, SendKind.Request, source, ct);
        if (refused is not null)
        {
            return refused;
        }

        var timeout = Math.Min(request.TimeoutMs ?? Options.DefaultTimeoutMs, Options.MaxTimeoutMs);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var message = new BusMessage(ws.NextId("q"), request.Topic!, member.Key, member.Identity.PluginId, member.Identity.TypeID, request.Target, now, payloadJson!);
        BusSubscription? responder;
        lock (ws.Gate)
        {
            responder = ws.Engine.Request(message, now + timeout);
            if (responder is not null)
            {
                var route = new Route(connectionId, handle!, request.Id!);
                ws.Routes[message.Id] = route;
                route.Timer = clock.CreateTimer(_ => _ = ExpireAsync(ws, message.Id, now + timeout), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
            }
        }

        if (responder is null)
        {
            return cluster.IsClustered
                ? await OfferRequestAsync(ws, member, connectionId, handle!, request.Id!, message, timeout)
                : new BusAck(false, ErrorCodes.BusNoResponder, $"No open card answers \"{message.Topic}\".");
        }

        var (conn, sub) = Split(responder.Id);
        var (_, responderHandle) = Split(responder.MemberId);
        await Send(conn, "busRequest", new BusIncomingRequestDto(responderHandle, sub, message.Id, message.Topic, Payload(request.Payload),
            new BusSenderDto(member.Identity.PluginId, member.Identity.TypeID)));
        return BusAck.Success;
    }

    public async Task<BusAck> ReplyAsync(string connectionId, string? handle, BusReplyRequest? reply)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return NotMember();
        }

        if (reply is null || !IsId(reply.Rid))
        {
            return Refuse(ErrorCodes.BusInvalid, "A reply needs the request's rid.");
        }

        var result = reply.Ok ? Payload(reply.Result) : default;
        if (reply.Ok && Encoding.UTF8.GetByteCount(result.GetRawText()) > BusOptions.MaxPayloadBytes)
        {
            reply = new BusReplyRequest(reply.Rid, false, default, new BusErrorDto(ErrorCodes.BusTooLarge, $"The answer is larger than {BusOptions.MaxPayloadBytes / 1024} KiB."));
        }

        Route? route;
        lock (ws.Gate)
        {
            if (ws.Engine.Reply(reply.Rid!, member.Key) is null || !ws.Routes.Remove(reply.Rid!, out route))
            {
                // Late, answered already, or not this member's to answer: nothing to relay.
                return Refuse(ErrorCodes.BusInvalid, "That request is not waiting for this member's answer.");
            }
        }

        route.Timer?.Dispose();
        var error = reply.Ok ? null : new BusErrorDto(
            reply.Error?.Code is ErrorCodes.BusTooLarge ? ErrorCodes.BusTooLarge : ErrorCodes.BusResponderFailed,
            Clip(reply.Error?.Message, 500) ?? "The responder failed.");
        await ReplyToAsync(route, new BusReplyDto(route.Handle, route.ClientId, reply.Ok, reply.Ok ? result : null, error));
        return BusAck.Success;
    }

    public async Task<BusHistoryAck> HistoryAsync(string connectionId, string? handle, string? pattern, int? limit, IBusMemberSource? source, CancellationToken ct)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return new BusHistoryAck(false, [], ErrorCodes.BusNotMember, "Join the bus first.");
        }

        if (!TopicRules.IsValidPattern(pattern))
        {
            Interlocked.Increment(ref refusals);
            return new BusHistoryAck(false, [], ErrorCodes.BusInvalid, "That is not a topic pattern.");
        }

        if (await CheckGrantAsync(ws, member, source, ct) is { } refused)
        {
            return new BusHistoryAck(false, [], refused.Code, refused.Message);
        }

        IReadOnlyList<BusMessage> messages;
        lock (ws.Gate)
        {
            messages = ws.Engine.History(pattern!, member.Identity.Topics.Subscribe, member.Identity.PluginId, Math.Clamp(limit ?? 100, 1, BusOptions.HistorySize));
        }

        return new BusHistoryAck(true, [.. messages.Select(m => new BusHistoryMessageDto(
            m.Id, m.Topic, JsonDocument.Parse(m.PayloadJson).RootElement.Clone(), new BusSenderDto(m.SenderPlugin, m.SenderType), m.Target, m.Timestamp))]);
    }

    /// <summary>The identity behind a handle of this connection (for audit details).</summary>
    public BusMemberIdentity? IdentityOf(string connectionId, string? handle) =>
        TryMember(connectionId, handle, out _, out _, out var member) ? member.Identity : null;

    /// <summary>Connections of a person that hold members now (tests poll it instead of sleeping).</summary>
    public int MembersOf(Guid userId) => connections.Values.Where(c => c.UserId == userId).Sum(c => c.Members.Count);

    /// <summary>Subscriptions of a person now.</summary>
    public int SubscriptionsOf(Guid userId)
    {
        if (!workspaces.TryGetValue(userId, out var ws))
        {
            return 0;
        }

        lock (ws.Gate)
        {
            return ws.Engine.SubscriptionCount;
        }
    }

    private async Task<(string? PayloadJson, BusAck? Refused)> CheckSendAsync(
        Workspace ws, Member member, string? topic, JsonElement payload, string? target, SendKind kind, IBusMemberSource? source, CancellationToken ct)
    {
        if (!TopicRules.IsValidTopic(topic) || (target is not null && !IsPluginId(target)))
        {
            return (null, Refuse(ErrorCodes.BusInvalid, "Send to a topic like \"math:expression:changed\"; a target is a plugin id."));
        }

        if (!member.Identity.Topics.Publish.Contains(topic!, StringComparer.Ordinal))
        {
            return (null, Refuse(ErrorCodes.BusTopicNotDeclared, $"{member.Identity.PluginId} does not declare \"{topic}\" under topics.publish."));
        }

        if (await CheckGrantAsync(ws, member, source, ct) is { } refused)
        {
            return (null, refused);
        }

        var json = Payload(payload).GetRawText();
        if (Encoding.UTF8.GetByteCount(json) > BusOptions.MaxPayloadBytes)
        {
            return (null, Refuse(ErrorCodes.BusTooLarge, $"A payload is at most {BusOptions.MaxPayloadBytes / 1024} KiB of JSON."));
        }

        if (!await TakeAsync(member, kind, ct))
        {
            return (null, Refuse(ErrorCodes.BusRateLimited, $"{member.Identity.PluginId} sends too many messages; slow down."));
        }

        return (json, null);
    }

    /// <summary>
    /// One token from the person's bucket for this plugin and kind of send, shared by all of the
    /// person's tabs on every instance (one count for the cluster, in memory on a single host).
    /// </summary>
    private async ValueTask<bool> TakeAsync(Member member, SendKind kind, CancellationToken ct)
    {
        var (name, perSecond, burst) = kind switch
        {
            SendKind.Publish => ("publish", Options.PublishesPerSecond, Options.PublishBurst),
            SendKind.Request => ("request", Options.RequestsPerSecond, Options.RequestBurst),
            _ => ("call", Options.CallsPerSecond, Options.CallBurst),
        };
        var decision = await limits.TryTakeAsync($"bus:{name}:{member.UserId:N}:{member.Identity.PluginId}", new Cluster.RateLimit(perSecond * 60, burst), ct);
        return decision.Allowed;
    }

    private enum SendKind
    {
        Publish,
        Request,
        Call,
    }

    /// <summary>
    /// Null when the plugin still runs for the member's person in the member's version (checked on
    /// every subscribe, send and history read, never remembered from the join) and the member holds
    /// the grant (cached until revoked; a refusal asks again next time, so a new grant counts at once).
    /// </summary>
    private async Task<BusAck?> CheckGrantAsync(Workspace ws, Member member, IBusMemberSource? source, CancellationToken ct)
    {
        if (BusMemberState.MayNotRun(catalog, access, member.UserId, member.Identity))
        {
            return Refuse(ErrorCodes.BusPluginStopped, StoppedDetail);
        }

        if (member.Granted)
        {
            return null;
        }

        if (source is not null)
        {
            var (granted, revoked) = await source.GrantAsync(member.Identity, ct);
            if (granted)
            {
                Grant(ws, member, revoked);
                return null;
            }
        }

        return Refuse(ErrorCodes.BusNotGranted, "This card has not been allowed to exchange messages (crossCard:pubsub).");
    }

    private void Grant(Workspace ws, Member member, CancellationToken revoked)
    {
        lock (ws.Gate)
        {
            member.Revocation.Dispose();
            member.Granted = true;
        }

        // Registered outside the lock: an already-cancelled token runs the callback inline.
        member.Revocation = revoked.Register(() => _ = RevokedAsync(ws, member));
    }

    /// <summary>The grant went: the member's subscriptions and responders go at once; requests waiting on it fail.</summary>
    private async Task RevokedAsync(Workspace ws, Member member)
    {
        IReadOnlyList<BusPendingRequest> orphaned;
        lock (ws.Gate)
        {
            member.Granted = false;
            orphaned = ws.Engine.RemoveMember(member.Key);
        }

        await FailOrphansAsync(ws, orphaned, "The responder's permission was revoked.");
    }

    private async Task ExpireAsync(Workspace ws, string rid, long deadline)
    {
        Route? route;
        lock (ws.Gate)
        {
            // Timers may fire a little early or late; the request's own deadline decides.
            var expired = ws.Engine.Expire(Math.Max(deadline, clock.GetUtcNow().ToUnixTimeMilliseconds()));
            foreach (var p in expired.Where(p => p.Request.Id != rid))
            {
                if (ws.Routes.Remove(p.Request.Id, out var other))
                {
                    other.Timer?.Dispose();
                    _ = ReplyToAsync(other, TimedOut(other));
                }
            }

            if (!expired.Any(p => p.Request.Id == rid) || !ws.Routes.Remove(rid, out route))
            {
                return;
            }
        }

        route.Timer?.Dispose();
        await ReplyToAsync(route, TimedOut(route));
    }

    private static BusReplyDto TimedOut(Route route) =>
        new(route.Handle, route.ClientId, false, null, new BusErrorDto(ErrorCodes.BusTimeout, "No answer came in time."));

    private async Task FailOrphansAsync(Workspace ws, IReadOnlyList<BusPendingRequest> orphaned, string message)
    {
        foreach (var p in orphaned)
        {
            Route? route;
            lock (ws.Gate)
            {
                ws.Routes.Remove(p.Request.Id, out route);
            }

            if (route is not null)
            {
                route.Timer?.Dispose();
                await ReplyToAsync(route, new BusReplyDto(route.Handle, route.ClientId, false, null, new BusErrorDto(ErrorCodes.BusNoResponder, message)));
            }
        }
    }

    private static IReadOnlyList<BusPendingRequest> RemoveLocked(Workspace ws, Connection connection, Member member)
    {
        connection.Members.Remove(member.Handle);
        ws.Members.Remove(member.Key);
        member.Revocation.Dispose();
        member.Granted = false;
        foreach (var rid in ws.Routes.Where(r => r.Value.ConnectionId == member.ConnectionId && r.Value.Handle == member.Handle).Select(r => r.Key).ToList())
        {
            ws.Routes.Remove(rid, out var route);
            route?.Timer?.Dispose();
        }

        return ws.Engine.RemoveMember(member.Key);
    }

    private bool TryMember(string connectionId, string? handle, out Workspace ws, out Connection connection, out Member member)
    {
        ws = null!;
        member = null!;
        if (!connections.TryGetValue(connectionId, out connection!) || handle is null || !workspaces.TryGetValue(connection.UserId, out ws!))
        {
            return false;
        }

        lock (ws.Gate)
        {
            return connection.Members.TryGetValue(handle, out member!);
        }
    }

    private async Task Send(string connectionId, string method, object message)
    {
        try
        {
            await hub.Clients.Client(connectionId).SendAsync(method, message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A tab that went away mid-send: its disconnect cleans up; the others still get theirs.
            LogSendFailed(logger, method, e);
        }
    }

    private BusAck Refuse(string code, string message)
    {
        Interlocked.Increment(ref refusals);
        return BusAck.Refused(code, message);
    }

    private BusAck NotMember() => Refuse(ErrorCodes.BusNotMember, "Join the bus with this member first.");

    private static JsonElement Payload(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("null").RootElement.Clone() : payload;

    /// <summary>Engine ids are <c>connection|handle</c> (members) and <c>connection|handle|sub</c> (subscriptions); ids never contain '|'.</summary>
    private static (string Connection, string Id) Split(string key) =>
        (key[..key.IndexOf(Separator, StringComparison.Ordinal)], key[(key.LastIndexOf(Separator) + 1)..]);

    private static bool IsId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsPluginId(string id) =>
        id.Length <= 200 && id.Contains('.', StringComparison.Ordinal) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');

    private static string? Clip(string? text, int max = 80) => text is null ? null : text.Length <= max ? text : text[..max] + "…";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bus: sending {Method} to a connection failed")]
    private static partial void LogSendFailed(ILogger logger, string method, Exception e);

    private sealed class Connection(Guid userId)
    {
        public Guid UserId { get; } = userId;

        /// <summary>Handle → member; guarded by the workspace's gate.</summary>
        public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Member(string connectionId, string handle, BusMemberIdentity identity, Guid userId, DateTimeOffset since)
    {
        public Guid UserId { get; } = userId;

        public DateTimeOffset Since { get; } = since;

        /// <summary>Activity counters for the Running apps panel; written under the workspace's gate.</summary>
        public MinuteCounter Calls { get; } = new();

        public MinuteCounter Messages { get; } = new();

        public long Errors;

        public string ConnectionId { get; } = connectionId;

        public string Handle { get; } = handle;

        public string Key { get; } = connectionId + Separator + handle;

        public BusMemberIdentity Identity { get; } = identity;

        public volatile bool Granted;

        public CancellationTokenRegistration Revocation;
    }

    private sealed class Route(string connectionId, string handle, string clientId)
    {
        /// <summary>Set on the instance answering for another: the reply goes back there (<see cref="ClientId"/> is its request id).</summary>
        public string? Origin { get; init; }

        public Guid UserId { get; init; }

        /// <summary>Set on the requester's instance while the other instances are asked who answers.</summary>
        public PeerWait? Remote { get; init; }

        public string ConnectionId { get; } = connectionId;

        public string Handle { get; } = handle;

        public string ClientId { get; } = clientId;

        public ITimer? Timer { get; set; }
    }

    private sealed class Workspace(BusOptions options, string idTag)
    {
        private long nextId;

        public Lock Gate { get; } = new();

        public BusEngine Engine { get; } = new(new BusEngineOptions
        {
            HistoryCapacity = BusOptions.HistorySize,
            HistoryMaxPayloadChars = options.HistoryMaxPayloadChars,
            MaxSubscriptionsPerMember = options.MaxSubscriptionsPerMember,
        });

        public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Route> Routes { get; } = new(StringComparer.Ordinal);

        public List<BusSubscription> Scratch { get; } = [];

        /// <summary>API calls on their way to a provider, by host call id.</summary>
        public Dictionary<string, CallRoute> Calls { get; } = new(StringComparer.Ordinal);

        public string NextId(string prefix) => prefix + Interlocked.Increment(ref nextId).ToString(System.Globalization.CultureInfo.InvariantCulture) + idTag;
    }
}
