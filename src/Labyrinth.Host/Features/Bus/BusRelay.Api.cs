using System.Text;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Apps;

namespace Labyrinth.Host.Features.Bus;

/// <summary>A plugin API call as the caller's page sends it (<c>Call</c>).</summary>
internal sealed record BusCallRequest(string? Id, string? PluginId, string? Method, JsonElement Input, int? TimeoutMs);

/// <summary>A provider service's answer (<c>Answer</c>) to the call <c>Cid</c> it was given.</summary>
internal sealed record BusAnswerRequest(string? Cid, bool Ok, JsonElement Result, BusErrorDto? Error);

/// <summary><c>apiCall</c>: a call for the service member <c>Member</c> of this connection; it learns the caller's plugin id only.</summary>
internal sealed record BusIncomingCallDto(string Member, string Cid, string Method, JsonElement Input, string Caller);

/// <summary><c>apiReply</c>: the outcome of call <c>Id</c> that member <c>Member</c> of this connection made.</summary>
internal sealed record BusCallReplyDto(string Member, string Id, bool Ok, JsonElement? Result, BusErrorDto? Error);

/// <summary>What a routed call is, for the hub's audit and metrics.</summary>
internal sealed record BusCallInfo(string Caller, string Provider, string Method);

/// <summary>A service running in one of a person's tabs, for the Running apps panel.</summary>
internal sealed record RunningServiceInfo(
    Guid UserId, string Connection, string PluginId, string Version, string ServiceId, DateTimeOffset Since, int CallsLastMinute, int MessagesLastMinute, long Errors);

internal sealed class CallRoute(string cid, string callerConnection, string callerHandle, string clientId, string providerKey, BusCallInfo info, ApiMethod method, string version)
{
    public string Cid { get; } = cid;

    public string CallerConnection { get; } = callerConnection;

    public string CallerHandle { get; } = callerHandle;

    public string ClientId { get; } = clientId;

    public string ProviderKey { get; } = providerKey;

    public BusCallInfo Info { get; } = info;

    public ApiMethod Method { get; } = method;

    public string ProviderVersion { get; } = version;

    public ITimer? Timer { get; set; }

    public Guid UserId { get; init; }

    public string UserName { get; init; } = "";

    /// <summary>Set on the instance answering for another: the answer goes back there (<see cref="ClientId"/> is its call id).</summary>
    public string? Origin { get; init; }

    /// <summary>Set on the caller's instance while the other instances are asked whose service answers.</summary>
    public PeerWait? Remote { get; init; }
}

/// <summary>Counts events in the current and the previous minute (the panel shows the last full minute, or the current one while it is the first).</summary>
internal sealed class MinuteCounter
{
    private long minute;
    private int current;
    private int previous;

    public void Add(DateTimeOffset now)
    {
        Roll(now);
        current++;
    }

    public int LastMinute(DateTimeOffset now)
    {
        Roll(now);
        return Math.Max(previous, current);
    }

    private void Roll(DateTimeOffset now)
    {
        var m = now.ToUnixTimeSeconds() / 60;
        if (m != minute)
        {
            previous = m == minute + 1 ? current : 0;
            current = 0;
            minute = m;
        }
    }
}

/// <summary>
/// Plugin API calls (docs/api.md "Plugin APIs"): the caller's page sends <c>Call</c>; the host
/// checks the caller requests and holds <c>api:&lt;provider&gt;</c>, that the provider is enabled
/// and declares the method, the size, the rate and the input against the schema compiled at
/// install; it routes the call to the provider's service member — in the caller's own tab when
/// one runs there — which learns only the caller's plugin id; the answer is checked against the
/// output schema before the caller sees it, and a deadline ends every call.
/// </summary>
internal sealed partial class BusRelay
{
    public const string ApiCapabilityPrefix = "api:";

    public async Task<(BusAck Ack, BusCallInfo? Info)> CallAsync(
        string connectionId, string? handle, BusCallRequest? request, IBusMemberSource? source, string userName, CancellationToken ct)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return (NotMember(), null);
        }

        if (request is null || !IsId(request.Id) || request.PluginId is null || !IsPluginId(request.PluginId) || request.Method is not { Length: > 0 and <= 64 } methodName
            || request.TimeoutMs is <= 0)
        {
            return (Refuse(ErrorCodes.ApiInvalid, "A call needs an id, a plugin id, a method name and, optionally, a positive timeoutMs."), null);
        }

        var caller = member.Identity;
        var capability = ApiCapabilityPrefix + request.PluginId;
        if (!caller.Capabilities.Contains(capability, StringComparer.Ordinal))
        {
            return (Refuse(ErrorCodes.ApiNotGranted, $"{caller.PluginId} does not request \"{capability}\" in its manifest."), null);
        }

        if (BusMemberState.MayNotRun(catalog, access, member.UserId, caller))
        {
            return (Refuse(ErrorCodes.BusPluginStopped, "The caller's plugin is disabled or stopped by an admin."), null);
        }

        if (source is null || !await source.HoldsAsync(caller, capability, ct))
        {
            return (Refuse(ErrorCodes.ApiNotGranted, caller.Kind == ServiceBusMembers.MemberKind
                ? $"An admin has not granted {caller.PluginId}'s services \"{capability}\"."
                : $"This card has not been allowed to call {request.PluginId} (\"{capability}\")."), null);
        }

        var provider = catalog.Find(request.PluginId);
        if (provider is null || !provider.IsUsable || !access.IsAvailable(member.UserId, provider.Id) || !access.IsAvailable(member.UserId, caller.PluginId))
        {
            return (Refuse(ErrorCodes.ApiProviderUnavailable, $"{request.PluginId} is not installed, not available to you, or an admin disabled or stopped it."), null);
        }

        // The provider's version for this person (theirs during a rollout), like their cards'.
        var providerVersion = access.AssignedVersion(member.UserId, provider);
        var api = provider.Versions.GetValueOrDefault(providerVersion)?.Manifest.Api;
        if (api is null || !api.Methods.TryGetValue(methodName, out var method))
        {
            return (Refuse(ErrorCodes.ApiUnknownMethod, api is null
                ? $"{request.PluginId} has no API."
                : $"{request.PluginId} has no method \"{Clip(methodName, 64)}\"; it has {string.Join(", ", api.Methods.Keys.Order(StringComparer.Ordinal))}."), null);
        }

        var info = new BusCallInfo(caller.PluginId, provider.Id, methodName);
        var input = Payload(request.Input);
        if (Encoding.UTF8.GetByteCount(input.GetRawText()) > BusOptions.MaxPayloadBytes)
        {
            return (Refuse(ErrorCodes.ApiTooLarge, $"A call's input is at most {BusOptions.MaxPayloadBytes / 1024} KiB of JSON."), info);
        }

        if (!await TakeAsync(member, SendKind.Call, ct))
        {
            return (Refuse(ErrorCodes.ApiRateLimited, $"{caller.PluginId} calls too often; slow down."), info);
        }

        var problems = method.CheckInput(input);
        if (problems.Count > 0)
        {
            Interlocked.Increment(ref refusals);
            return (new BusAck(false, ErrorCodes.ApiInvalidInput, $"The input of {provider.Id}.{methodName} does not match its schema: {Describe(problems)}", Dto(problems)), info);
        }

        var timeout = Math.Min(request.TimeoutMs ?? Options.DefaultTimeoutMs, Options.MaxTimeoutMs);
        Member? answerer;
        CallRoute? route = null;
        lock (ws.Gate)
        {
            // The caller's own tab first: the call never leaves the machine it was made on when it can help it.
            var candidates = ws.Members.Values.Where(m => m.Identity.Kind == ServiceBusMembers.MemberKind && m.Identity.PluginId == provider.Id
                && m.Identity.Version == providerVersion && m.Identity.ServiceId == api.ServiceId);
            answerer = candidates.OrderBy(m => m.ConnectionId == connectionId ? 0 : 1).FirstOrDefault();
            if (answerer is null && !cluster.IsClustered)
            {
                Interlocked.Increment(ref refusals);
                return (BusAck.Refused(ErrorCodes.ApiProviderUnavailable, $"{provider.Id}'s service is not running in any of your tabs."), info);
            }

            if (answerer is not null)
            {
                var cid = ws.NextId("c");
                route = new CallRoute(cid, connectionId, handle!, request.Id!, answerer.Key, info, method, providerVersion)
                {
                    UserId = member.UserId,
                    UserName = userName,
                };
                ws.Calls[cid] = route;
                route.Timer = clock.CreateTimer(_ => _ = CallTimedOutAsync(ws, cid, timeout), null, TimeSpan.FromMilliseconds(timeout), Timeout.InfiniteTimeSpan);
            }
        }

        if (answerer is null || route is null)
        {
            // No tab on this instance runs it: one on another instance may.
            return (await OfferCallAsync(ws, member, connectionId, handle!, request.Id!, info, method, providerVersion, api.ServiceId, input, timeout, userName), info);
        }

        await Send(answerer.ConnectionId, "apiCall", new BusIncomingCallDto(answerer.Handle, route.Cid, methodName, input, caller.PluginId));
        return (BusAck.Success, info);
    }

    public async Task<BusAck> AnswerAsync(string connectionId, string? handle, BusAnswerRequest? answer)
    {
        if (!TryMember(connectionId, handle, out var ws, out _, out var member))
        {
            return NotMember();
        }

        if (answer is null || !IsId(answer.Cid))
        {
            return Refuse(ErrorCodes.ApiInvalid, "An answer needs the call's cid.");
        }

        CallRoute? route;
        lock (ws.Gate)
        {
            if (!ws.Calls.TryGetValue(answer.Cid!, out route) || route.ProviderKey != member.Key)
            {
                return Refuse(ErrorCodes.ApiInvalid, "That call is not waiting for this service's answer.");
            }

            ws.Calls.Remove(answer.Cid!);
            member.Calls.Add(clock.GetUtcNow());
        }

        route.Timer?.Dispose();
        BusCallReplyDto reply;
        if (!answer.Ok)
        {
            var message = Clip(answer.Error?.Message, 500) ?? "The service failed.";
            logs.Host(route.Info.Provider, route.ProviderVersion, route.UserName, "warn", $"{route.Info.Method} called by {route.Info.Caller} failed: {message}");
            reply = Failed(route, ErrorCodes.ApiProviderFailed, message);
        }
        else
        {
            var result = Payload(answer.Result);
            var problems = Encoding.UTF8.GetByteCount(result.GetRawText()) > BusOptions.MaxPayloadBytes
                ? [new PointerProblem("", $"The answer is larger than {BusOptions.MaxPayloadBytes / 1024} KiB.")]
                : route.Method.CheckOutput(result);
            if (problems.Count > 0)
            {
                logs.Host(route.Info.Provider, route.ProviderVersion, route.UserName, "error",
                    $"{route.Info.Method} answered {route.Info.Caller} with an output that breaks its schema: {Describe(problems)}");
                reply = Failed(route, ErrorCodes.ApiInvalidOutput, $"{route.Info.Provider}.{route.Info.Method} answered with an output that does not match its schema: {Describe(problems)}", problems);
            }
            else
            {
                reply = new BusCallReplyDto(route.CallerHandle, route.ClientId, true, result, null);
            }
        }

        if (!reply.Ok)
        {
            Interlocked.Increment(ref member.Errors);
        }

        metrics.ApiCall(route.Info.Provider, reply.Ok ? "ok" : reply.Error!.Code);
        await CallReplyToAsync(route, reply);
        return BusAck.Success;
    }

    /// <summary>A line from a member's plugin into its log (<c>log.info/warn/error</c>).</summary>
    public BusAck Log(string connectionId, string? handle, string userName, string? level, string? message)
    {
        if (!TryMember(connectionId, handle, out _, out _, out var member))
        {
            return NotMember();
        }

        if (level is null || !PluginLogs.Levels.Contains(level) || message is null)
        {
            return Refuse(ErrorCodes.LogInvalid, "A log line has a level (info, warn, error) and a message.");
        }

        var source = member.Identity.Kind == ServiceBusMembers.MemberKind ? member.Identity.TypeID : "card:" + member.Identity.TypeID;
        if (level == "error")
        {
            Interlocked.Increment(ref member.Errors);
        }

        return logs.Write(member.UserId, userName, member.Identity.PluginId, member.Identity.Version, source, level, message)
            ? BusAck.Success
            : Refuse(ErrorCodes.BusRateLimited, $"{member.Identity.PluginId} logs too much; lines are being dropped.");
    }

    /// <summary>The services running in every tab of <paramref name="userId"/>, or of everyone when null.</summary>
    public IReadOnlyList<RunningServiceInfo> RunningServices(Guid? userId)
    {
        var now = clock.GetUtcNow();
        var result = new List<RunningServiceInfo>();
        foreach (var (user, ws) in workspaces)
        {
            if (userId is { } only && only != user)
            {
                continue;
            }

            lock (ws.Gate)
            {
                result.AddRange(ws.Members.Values.Where(m => m.Identity.Kind == ServiceBusMembers.MemberKind).Select(m => new RunningServiceInfo(
                    user, m.ConnectionId, m.Identity.PluginId, m.Identity.Version, m.Identity.ServiceId!, m.Since, m.Calls.LastMinute(now), m.Messages.LastMinute(now),
                    Interlocked.Read(ref m.Errors))));
            }
        }

        return result;
    }

    /// <summary>
    /// Asks the tabs running a service to stop or restart it (<c>serviceControl</c>); the count of
    /// tabs asked. Every service of the plugin when <paramref name="serviceId"/> is null.
    /// </summary>
    public async Task<int> ControlServiceAsync(Guid userId, string pluginId, string? serviceId, string action, string? connection = null)
    {
        var targets = RunningServices(userId)
            .Where(s => s.PluginId == pluginId && (serviceId is null || s.ServiceId == serviceId) && (connection is null || s.Connection == connection))
            .ToList();
        await Task.WhenAll(targets.Select(s => Send(s.Connection, "serviceControl", new ServiceControlDto(s.PluginId, s.ServiceId, action))));
        return targets.Count;
    }

    /// <summary>
    /// After a governance change: members whose plugin was disabled, killed or uninstalled, is no
    /// longer available to their person (groups), or runs a version that is no longer theirs (a
    /// rollout started, promoted or rolled back) leave every workspace at once (pending requests
    /// and calls fail), before any page hears of it.
    /// </summary>
    public async Task EvictStoppedAsync()
    {
        foreach (var (_, ws) in workspaces)
        {
            var orphaned = new List<BusPendingRequest>();
            var orphanedCalls = new List<CallRoute>();
            lock (ws.Gate)
            {
                foreach (var member in ws.Members.Values.Where(IsEvicted).ToList())
                {
                    if (connections.TryGetValue(member.ConnectionId, out var connection))
                    {
                        orphaned.AddRange(RemoveLocked(ws, connection, member));
                        orphanedCalls.AddRange(TakeCallsLocked(ws, member));
                    }
                }
            }

            await FailOrphansAsync(ws, orphaned, "The responder's plugin was stopped.");
            await FailCallsAsync(ws, orphanedCalls);
        }
    }

    private bool IsEvicted(Member member) => BusMemberState.MayNotRun(catalog, access, member.UserId, member.Identity);

    /// <summary>Calls a leaving member was answering (failed to their callers) or had made (dropped: nobody waits).</summary>
    private static List<CallRoute> TakeCallsLocked(Workspace ws, Member member)
    {
        var taken = new List<CallRoute>();
        foreach (var (cid, route) in ws.Calls.ToList())
        {
            var answering = route.ProviderKey == member.Key;
            if (answering || (route.CallerConnection == member.ConnectionId && route.CallerHandle == member.Handle))
            {
                ws.Calls.Remove(cid);
                route.Timer?.Dispose();
                if (answering)
                {
                    taken.Add(route);
                }
            }
        }

        return taken;
    }

    private async Task FailCallsAsync(Workspace ws, IReadOnlyList<CallRoute> calls)
    {
        _ = ws;
        foreach (var route in calls)
        {
            metrics.ApiCall(route.Info.Provider, ErrorCodes.ApiProviderFailed);
            await CallReplyToAsync(route, Failed(route, ErrorCodes.ApiProviderFailed, "The service stopped before answering."));
        }
    }

    private async Task CallTimedOutAsync(Workspace ws, string cid, int timeoutMs)
    {
        CallRoute? route;
        lock (ws.Gate)
        {
            if (!ws.Calls.Remove(cid, out route))
            {
                return;
            }

            if (ws.Members.TryGetValue(route.ProviderKey, out var provider))
            {
                Interlocked.Increment(ref provider.Errors);
            }
        }

        route.Timer?.Dispose();
        if (route.Origin is not null)
        {
            // Answering for another instance: the caller's instance times the call out, logs and counts it.
            return;
        }

        logs.Host(route.Info.Provider, route.ProviderVersion, route.UserName, "warn", $"{route.Info.Method} called by {route.Info.Caller} got no answer within {timeoutMs} ms.");
        metrics.ApiCall(route.Info.Provider, ErrorCodes.ApiTimeout);
        await Send(route.CallerConnection, "apiReply", Failed(route, ErrorCodes.ApiTimeout, $"{route.Info.Provider} did not answer within {timeoutMs} ms."));
    }

    private static BusCallReplyDto Failed(CallRoute route, string code, string message, IReadOnlyList<PointerProblem>? problems = null) =>
        new(route.CallerHandle, route.ClientId, false, null, new BusErrorDto(code, message, problems is null ? null : Dto(problems)));

    private static BusProblemDto[] Dto(IReadOnlyList<PointerProblem> problems) => [.. problems.Select(p => new BusProblemDto(p.Pointer, p.Message))];

    private static string Describe(IReadOnlyList<PointerProblem> problems) =>
        string.Join("; ", problems.Take(3).Select(p => $"{(p.Pointer.Length == 0 ? "(the value)" : p.Pointer)}: {p.Message}")) + (problems.Count > 3 ? $" (and {problems.Count - 3} more)" : "");
}

/// <summary><c>serviceControl</c>: stop or restart a service in this tab (the Running apps panel).</summary>
internal sealed record ServiceControlDto(string PluginId, string ServiceId, string Action);
