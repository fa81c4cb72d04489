using Labyrinth.Host.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// <c>/hubs/bus</c> (docs/api.md "Message bus"): a page joins its open cards as members, mirrors
/// their subscriptions, and sends their publishes, requests and replies; the host checks each
/// against the installed manifest and the grants, relays to the person's other tabs
/// (<c>busEvent</c>, <c>busRequest</c>, <c>busReply</c>) and keeps the history. Every call answers a
/// <see cref="BusAck"/>; refusals are counted and audited.
/// </summary>
[Authorize]
internal sealed class BusHub(BusRelay relay, IEnumerable<IBusMemberSource> sources, BusRefusals refusals, Apps.ApiCallAudit apiAudit) : Hub
{
    public const string Path = "/hubs/bus";

    private Guid UserId => Context.User!.UserId();

    private IBusMemberSource? Source(string? kind) => sources.FirstOrDefault(s => s.Kind == kind);

    private IBusMemberSource? SourceOf(string? handle) =>
        relay.IdentityOf(Context.ConnectionId, handle) is { } identity ? Source(identity.Kind) : null;

    public async Task<BusAck> Join(string handle, BusMemberRef member) =>
        await Counted(handle, await relay.JoinAsync(Context.ConnectionId, UserId, handle, member, Source(member?.Kind), Context.ConnectionAborted));

    public Task<BusAck> Leave(string handle) => relay.LeaveAsync(Context.ConnectionId, handle);

    public async Task<BusAck> Subscribe(string handle, BusSubscribeRequest request) =>
        await Counted(handle, await relay.SubscribeAsync(Context.ConnectionId, handle, request, SourceOf(handle), Context.ConnectionAborted));

    public BusAck Unsubscribe(string handle, string sub) => relay.Unsubscribe(Context.ConnectionId, handle, sub);

    public async Task<BusAck> Publish(string handle, BusPublishRequest request) =>
        await Counted(handle, await relay.PublishAsync(Context.ConnectionId, handle, request, SourceOf(handle), Context.ConnectionAborted));

    public async Task<BusAck> Request(string handle, BusRequestRequest request) =>
        await Counted(handle, await relay.RequestAsync(Context.ConnectionId, handle, request, SourceOf(handle), Context.ConnectionAborted));

    public Task<BusAck> Reply(string handle, BusReplyRequest reply) => relay.ReplyAsync(Context.ConnectionId, handle, reply);

    /// <summary>A plugin API call; the outcome arrives as <c>apiReply</c> unless this ack refuses it.</summary>
    public async Task<BusAck> Call(string handle, BusCallRequest request)
    {
        var (ack, info) = await relay.CallAsync(Context.ConnectionId, handle, request, SourceOf(handle), Actor, Context.ConnectionAborted);
        await apiAudit.RecordAsync(Actor, UserId, relay.IdentityOf(Context.ConnectionId, handle), info, ack, Context.ConnectionAborted);
        return ack;
    }

    /// <summary>A service's answer to a call it was given (<c>apiCall</c>).</summary>
    public Task<BusAck> Answer(string handle, BusAnswerRequest answer) => relay.AnswerAsync(Context.ConnectionId, handle, answer);

    /// <summary>A line for the member's plugin log.</summary>
    public BusAck Log(string handle, string level, string message) => relay.Log(Context.ConnectionId, handle, Actor, level, message);

    public async Task<BusHistoryAck> History(string handle, string pattern, int? limit)
    {
        var ack = await relay.HistoryAsync(Context.ConnectionId, handle, pattern, limit, SourceOf(handle), Context.ConnectionAborted);
        if (!ack.Ok && ack.Code is not null)
        {
            await Counted(handle, new BusAck(false, ack.Code, ack.Message));
        }

        return ack;
    }

    /// <summary>Refusals the page made itself (it never sent those messages here), for metrics and the audit log.</summary>
    public async Task<BusAck> Report(string handle, string reason, int count)
    {
        if (!BusRefusals.PageReasons.Contains(reason ?? "") || count is < 1 or > 100_000)
        {
            return BusAck.Refused(Core.Errors.ErrorCodes.BusInvalid, $"Report one of {string.Join(", ", BusRefusals.PageReasons)} with a count of 1–100000.");
        }

        var member = relay.IdentityOf(Context.ConnectionId, handle);
        if (member is null)
        {
            return BusAck.Refused(Core.Errors.ErrorCodes.BusNotMember, "Join the bus with this member first.");
        }

        await refusals.RecordAsync(Actor, UserId, member, reason!, count, "page", Context.ConnectionAborted);
        return BusAck.Success;
    }

    public override Task OnDisconnectedAsync(Exception? exception) => relay.DisconnectedAsync(Context.ConnectionId);

    private string Actor => Context.User?.Identity?.Name ?? "unknown";

    private async Task<BusAck> Counted(string? handle, BusAck ack)
    {
        // No responder and an unreachable cluster are not the card's doing.
        if (!ack.Ok && ack.Code is { } code && code.StartsWith("bus.", StringComparison.Ordinal) && code != Core.Errors.ErrorCodes.BusNoResponder)
        {
            // "bus.rate_limited" → "rate_limited": one reason vocabulary for page and host reports.
            await refusals.RecordAsync(Actor, UserId, relay.IdentityOf(Context.ConnectionId, handle), code["bus.".Length..], 1, "host", Context.ConnectionAborted);
        }

        return ack;
    }
}
