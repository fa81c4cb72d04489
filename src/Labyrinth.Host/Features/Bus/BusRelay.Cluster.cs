using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Apps;
using Labyrinth.Host.Features.Cluster;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// The bus across instances (docs/operations.md "Scale-out"). Every check runs on the instance the
/// sender is connected to; what passes goes to the other instances as a <see cref="BusEnvelope"/>
/// carrying the person and the sender as this host resolved them, and each instance delivers only
/// to that person's members among its own tabs. A publish is delivered by every instance to its
/// own subscribers. A request or call with no answerer here is offered to the others: the first
/// with an answerer to claim it in Redis gets it, the others decline, and the answer comes back to
/// the requester's instance, which keeps the deadline. Nobody claiming ends it at once with the
/// same code as on one instance; Redis unreachable refuses it with <c>cluster.unavailable</c>.
/// </summary>
internal sealed partial class BusRelay
{
    private const string RemoteSender = "remote";

    /// <summary>What arrived from another instance (the listener hands over only envelopes of other origins).</summary>
    public Task OnRemoteAsync(BusEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Kind switch
        {
            BusEnvelope.Publish => RemotePublishAsync(envelope),
            BusEnvelope.Request => RemoteRequestAsync(envelope),
            BusEnvelope.RequestClaimed => RemoteClaimedAsync(envelope, calls: false),
            BusEnvelope.RequestDeclined => RemoteDeclinedAsync(envelope, calls: false),
            BusEnvelope.Reply => RemoteReplyAsync(envelope),
            BusEnvelope.Call => RemoteCallAsync(envelope),
            BusEnvelope.CallClaimed => RemoteClaimedAsync(envelope, calls: true),
            BusEnvelope.CallDeclined => RemoteDeclinedAsync(envelope, calls: true),
            BusEnvelope.Answer => RemoteAnswerAsync(envelope),
            _ => Task.CompletedTask,
        };
    }

    private static BusAck ClusterUnavailable() =>
        new(false, ErrorCodes.ClusterUnavailable, "No open card here answers this, and the other server instances cannot be reached right now. Try again in a moment.");

    private async Task<BusAck> OfferRequestAsync(Workspace ws, Member member, string connectionId, string handle, string clientId, BusMessage message, int timeout)
    {
        if (await PeersAsync() is not { } peers)
        {
            return ClusterUnavailable();
        }

        if (peers == 0)
        {
            return new BusAck(false, ErrorCodes.BusNoResponder, $"No open card answers \"{message.Topic}\".");
        }

        var route = new Route(connectionId, handle, clientId) { Remote = new PeerWait(peers) };
        lock (ws.Gate)
        {
            ws.Routes[message.Id] = route;
            route.Timer = clock.CreateTimer(_ => _ = RemoteExpiredAsync(ws, message.Id), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
        }

        var sent = cluster.Broadcast(new BusEnvelope(BusEnvelope.Request, cluster.InstanceId, member.UserId)
        {
            Id = message.Id, Topic = message.Topic, SenderPlugin = message.SenderPlugin, SenderType = message.SenderType, Target = message.Target,
            Timestamp = message.Timestamp, TimeoutMs = timeout, Payload = JsonDocument.Parse(message.PayloadJson).RootElement.Clone(),
        });
        if (!sent)
        {
            lock (ws.Gate)
            {
                ws.Routes.Remove(message.Id);
            }

            route.Timer?.Dispose();
            return ClusterUnavailable();
        }

        return BusAck.Success;
    }

    private async Task<BusAck> OfferCallAsync(
        Workspace ws, Member member, string connectionId, string handle, string clientId, BusCallInfo info, ApiMethod method, string providerVersion, string serviceId,
        JsonElement input, int timeout, string userName)
    {
        if (await PeersAsync() is not { } peers)
        {
            Interlocked.Increment(ref refusals);
            return ClusterUnavailable();
        }

        if (peers == 0)
        {
            Interlocked.Increment(ref refusals);
            return BusAck.Refused(ErrorCodes.ApiProviderUnavailable, $"{info.Provider}'s service is not running in any of your tabs.");
        }

        var cid = ws.NextId("c");
        var route = new CallRoute(cid, connectionId, handle, clientId, "", info, method, providerVersion)
        {
            UserId = member.UserId,
            UserName = userName,
            Remote = new PeerWait(peers),
        };
        lock (ws.Gate)
        {
            ws.Calls[cid] = route;
            route.Timer = clock.CreateTimer(_ => _ = CallTimedOutAsync(ws, cid, timeout), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
        }

        var sent = cluster.Broadcast(new BusEnvelope(BusEnvelope.Call, cluster.InstanceId, member.UserId)
        {
            Id = cid, SenderPlugin = info.Caller, Provider = info.Provider, Version = providerVersion, ServiceId = serviceId, Method = info.Method,
            Payload = input, TimeoutMs = timeout, Actor = userName,
        });
        if (!sent)
        {
            lock (ws.Gate)
            {
                ws.Calls.Remove(cid);
            }

            route.Timer?.Dispose();
            Interlocked.Increment(ref refusals);
            return ClusterUnavailable();
        }

        return BusAck.Success;
    }

    /// <summary>The other live instances, or null when Redis cannot be reached.</summary>
    private async Task<int?> PeersAsync()
    {
        if (!cluster.CanReach)
        {
            return null;
        }

        try
        {
            return await cluster.PeersAsync();
        }
        catch (ClusterUnavailableException)
        {
            return null;
        }
    }

    private async Task RemotePublishAsync(BusEnvelope envelope)
    {
        if (!workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            return;
        }

        var payload = envelope.Payload ?? Payload(default);
        var message = new BusMessage(envelope.Id, envelope.Topic!, envelope.Origin + Separator + RemoteSender, envelope.SenderPlugin!, envelope.SenderType!,
            envelope.Target, envelope.Timestamp, payload.GetRawText());
        await DeliverAsync(ws, message, payload, senderConnection: null);
    }

    private async Task RemoteRequestAsync(BusEnvelope envelope)
    {
        var declined = new BusEnvelope(BusEnvelope.RequestDeclined, cluster.InstanceId, envelope.UserId) { Id = envelope.Id };
        if (!workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        var payload = envelope.Payload ?? Payload(default);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var timeout = Math.Clamp(envelope.TimeoutMs, 1, Options.MaxTimeoutMs);
        var message = new BusMessage(envelope.Id, envelope.Topic!, envelope.Origin + Separator + RemoteSender, envelope.SenderPlugin!, envelope.SenderType!,
            envelope.Target, now, payload.GetRawText());
        bool has;
        lock (ws.Gate)
        {
            has = ws.Engine.HasResponder(message);
        }

        if (!has || !await cluster.ClaimAsync($"request:{envelope.Origin}:{envelope.UserId:N}:{envelope.Id}", TimeSpan.FromMilliseconds(timeout + 1000)))
        {
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        BusSubscription? responder;
        lock (ws.Gate)
        {
            responder = ws.Engine.Request(message, now + timeout);
            if (responder is not null)
            {
                var route = new Route("", "", envelope.Id) { Origin = envelope.Origin, UserId = envelope.UserId };
                ws.Routes[message.Id] = route;
                route.Timer = clock.CreateTimer(_ => _ = ExpireAsync(ws, message.Id, now + timeout), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
            }
        }

        if (responder is null)
        {
            // The responder left between the look and the claim: nobody here answers after all.
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        cluster.SendTo(envelope.Origin, declined with { Kind = BusEnvelope.RequestClaimed });
        var (conn, sub) = Split(responder.Id);
        var (_, responderHandle) = Split(responder.MemberId);
        await Send(conn, "busRequest", new BusIncomingRequestDto(responderHandle, sub, message.Id, message.Topic, payload,
            new BusSenderDto(message.SenderPlugin, message.SenderType)));
    }

    private async Task RemoteCallAsync(BusEnvelope envelope)
    {
        var declined = new BusEnvelope(BusEnvelope.CallDeclined, cluster.InstanceId, envelope.UserId) { Id = envelope.Id };
        var method = catalog.Find(envelope.Provider!)?.Versions.GetValueOrDefault(envelope.Version!)?.Manifest.Api is { } api && api.ServiceId == envelope.ServiceId
            ? api.Methods.GetValueOrDefault(envelope.Method!)
            : null;
        if (method is null || !workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        bool has;
        lock (ws.Gate)
        {
            has = ws.Members.Values.Any(m => IsAnswerer(m, envelope));
        }

        var timeout = Math.Clamp(envelope.TimeoutMs, 1, Options.MaxTimeoutMs);
        if (!has || !await cluster.ClaimAsync($"call:{envelope.Origin}:{envelope.UserId:N}:{envelope.Id}", TimeSpan.FromMilliseconds(timeout + 1000)))
        {
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        Member? answerer;
        CallRoute? route = null;
        lock (ws.Gate)
        {
            answerer = ws.Members.Values.FirstOrDefault(m => IsAnswerer(m, envelope));
            if (answerer is not null)
            {
                var cid = ws.NextId("c");
                route = new CallRoute(cid, "", "", envelope.Id, answerer.Key, new BusCallInfo(envelope.SenderPlugin!, envelope.Provider!, envelope.Method!), method, envelope.Version!)
                {
                    UserId = envelope.UserId,
                    UserName = envelope.Actor ?? "unknown",
                    Origin = envelope.Origin,
                };
                ws.Calls[cid] = route;
                route.Timer = clock.CreateTimer(_ => _ = CallTimedOutAsync(ws, cid, timeout), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
            }
        }

        if (answerer is null || route is null)
        {
            cluster.SendTo(envelope.Origin, declined);
            return;
        }

        cluster.SendTo(envelope.Origin, declined with { Kind = BusEnvelope.CallClaimed });
        await Send(answerer.ConnectionId, "apiCall", new BusIncomingCallDto(answerer.Handle, route.Cid, envelope.Method!, envelope.Payload ?? Payload(default), envelope.SenderPlugin!));
    }

    private static bool IsAnswerer(Member m, BusEnvelope call) =>
        m.Identity.Kind == ServiceBusMembers.MemberKind && m.Identity.PluginId == call.Provider && m.Identity.Version == call.Version && m.Identity.ServiceId == call.ServiceId;

    private Task RemoteClaimedAsync(BusEnvelope envelope, bool calls)
    {
        if (workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            lock (ws.Gate)
            {
                var wait = calls ? ws.Calls.GetValueOrDefault(envelope.Id)?.Remote : ws.Routes.GetValueOrDefault(envelope.Id)?.Remote;
                if (wait is not null)
                {
                    wait.Claimer ??= envelope.Origin;
                }
            }
        }

        return Task.CompletedTask;
    }

    private async Task RemoteDeclinedAsync(BusEnvelope envelope, bool calls)
    {
        if (!workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            return;
        }

        Route? route = null;
        CallRoute? call = null;
        lock (ws.Gate)
        {
            if (calls)
            {
                if (ws.Calls.GetValueOrDefault(envelope.Id) is { Remote: { } wait } c && wait.Decline())
                {
                    ws.Calls.Remove(envelope.Id);
                    call = c;
                }
            }
            else if (ws.Routes.GetValueOrDefault(envelope.Id) is { Remote: { } wait } r && wait.Decline())
            {
                ws.Routes.Remove(envelope.Id);
                route = r;
            }
        }

        if (route is not null)
        {
            route.Timer?.Dispose();
            await Send(route.ConnectionId, "busReply", new BusReplyDto(route.Handle, route.ClientId, false, null,
                new BusErrorDto(ErrorCodes.BusNoResponder, "No open card in any of your tabs answers this.")));
        }

        if (call is not null)
        {
            call.Timer?.Dispose();
            metrics.ApiCall(call.Info.Provider, ErrorCodes.ApiProviderUnavailable);
            await Send(call.CallerConnection, "apiReply", Failed(call, ErrorCodes.ApiProviderUnavailable, $"{call.Info.Provider}'s service is not running in any of your tabs."));
        }
    }

    private async Task RemoteReplyAsync(BusEnvelope envelope)
    {
        if (!workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            return;
        }

        Route? route;
        lock (ws.Gate)
        {
            // Only the instance that claimed the request answers it.
            if (ws.Routes.GetValueOrDefault(envelope.Id) is not { Remote.Claimer: { } claimer } found || claimer != envelope.Origin)
            {
                return;
            }

            ws.Routes.Remove(envelope.Id);
            route = found;
        }

        route.Timer?.Dispose();
        var error = envelope.Ok ? null : new BusErrorDto(
            envelope.Error?.Code is ErrorCodes.BusTooLarge or ErrorCodes.BusNoResponder or ErrorCodes.BusTimeout ? envelope.Error.Code : ErrorCodes.BusResponderFailed,
            Clip(envelope.Error?.Message, 500) ?? "The responder failed.");
        await Send(route.ConnectionId, "busReply", new BusReplyDto(route.Handle, route.ClientId, envelope.Ok, envelope.Ok ? envelope.Payload ?? Payload(default) : null, error));
    }

    private async Task RemoteAnswerAsync(BusEnvelope envelope)
    {
        if (!workspaces.TryGetValue(envelope.UserId, out var ws))
        {
            return;
        }

        CallRoute? route;
        lock (ws.Gate)
        {
            if (ws.Calls.GetValueOrDefault(envelope.Id) is not { Remote.Claimer: { } claimer } found || claimer != envelope.Origin)
            {
                return;
            }

            ws.Calls.Remove(envelope.Id);
            route = found;
        }

        route.Timer?.Dispose();
        // The provider's instance checked the output against the schema; only its codes pass through.
        var error = envelope.Ok ? null : new BusErrorDto(
            envelope.Error?.Code is ErrorCodes.ApiInvalidOutput or ErrorCodes.ApiTimeout ? envelope.Error.Code : ErrorCodes.ApiProviderFailed,
            Clip(envelope.Error?.Message, 1000) ?? "The service failed.", envelope.Error?.Problems?.Take(50).ToArray());
        await Send(route.CallerConnection, "apiReply", new BusCallReplyDto(route.CallerHandle, route.ClientId, envelope.Ok, envelope.Ok ? envelope.Payload ?? Payload(default) : null, error));
    }

    /// <summary>A request offered to the other instances ran out of time: nobody claimed it, or the claimer did not answer.</summary>
    private async Task RemoteExpiredAsync(Workspace ws, string rid)
    {
        Route? route;
        lock (ws.Gate)
        {
            if (!ws.Routes.Remove(rid, out route))
            {
                return;
            }
        }

        route.Timer?.Dispose();
        await Send(route.ConnectionId, "busReply", TimedOut(route));
    }

    /// <summary>The answer to a request: to the requester's tab here, or back to the instance it came from.</summary>
    private async Task ReplyToAsync(Route route, BusReplyDto reply)
    {
        if (route.Origin is null)
        {
            await Send(route.ConnectionId, "busReply", reply);
            return;
        }

        cluster.SendTo(route.Origin, new BusEnvelope(BusEnvelope.Reply, cluster.InstanceId, route.UserId)
        {
            Id = route.ClientId, Ok = reply.Ok, Payload = reply.Result, Error = reply.Error,
        });
    }

    /// <summary>The outcome of a call: to the caller's tab here, or back to the instance it came from.</summary>
    private async Task CallReplyToAsync(CallRoute route, BusCallReplyDto reply)
    {
        if (route.Origin is null)
        {
            await Send(route.CallerConnection, "apiReply", reply);
            return;
        }

        cluster.SendTo(route.Origin, new BusEnvelope(BusEnvelope.Answer, cluster.InstanceId, route.UserId)
        {
            Id = route.ClientId, Ok = reply.Ok, Payload = reply.Result, Error = reply.Error,
        });
    }
}
