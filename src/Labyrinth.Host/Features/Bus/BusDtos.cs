using System.Text.Json;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// Who a bus member is, as the page names it: <c>kind</c> "card" with its board and window, or
/// "service" with its plugin, version and service id. The host resolves it for the signed-in
/// person from its own records and never takes topics or capabilities from the page.
/// </summary>
internal sealed record BusMemberRef(string? Kind, Guid? BoardId, string? WindowId, string? PluginId = null, string? Version = null, string? ServiceId = null, string? Path = null);

/// <summary>The outcome of a hub call: ok, or a stable <c>bus.*</c> code and a sentence.</summary>
internal sealed record BusAck(bool Ok, string? Code = null, string? Message = null, BusProblemDto[]? Problems = null)
{
    public static readonly BusAck Success = new(true);

    public static BusAck Refused(string code, string message) => new(false, code, message);
}

internal sealed record BusSubscribeRequest(string? Sub, string? Pattern, int? Priority, bool? Once, string? From, bool? Responds);

internal sealed record BusPublishRequest(string? Id, string? Topic, JsonElement Payload, string? Target);

internal sealed record BusRequestRequest(string? Id, string? Topic, JsonElement Payload, string? Target, int? TimeoutMs);

internal sealed record BusErrorDto(string Code, string Message, BusProblemDto[]? Problems = null);

/// <summary>One schema problem of an API call's input or output: a JSON pointer into the value and a sentence.</summary>
internal sealed record BusProblemDto(string Pointer, string Message);

internal sealed record BusReplyRequest(string? Rid, bool Ok, JsonElement Result, BusErrorDto? Error);

/// <summary>What a receiver learns about a sender: its plugin and card type, never its instance or board.</summary>
internal sealed record BusSenderDto(string PluginId, string TypeID);

/// <summary><c>busEvent</c>: a message for the listed subscriptions (the page's own ids) on this connection.</summary>
internal sealed record BusEventDto(string[] Subs, string Id, string Topic, JsonElement Payload, BusSenderDto From, string? Target, long Ts);

/// <summary><c>busRequest</c>: a request for responder <c>Sub</c>; answer with <c>Reply(member, rid, …)</c>.</summary>
internal sealed record BusIncomingRequestDto(string Member, string Sub, string Rid, string Topic, JsonElement Payload, BusSenderDto From);

/// <summary><c>busReply</c>: the one answer to request <c>Id</c> that member <c>Member</c> of this connection sent.</summary>
internal sealed record BusReplyDto(string Member, string Id, bool Ok, JsonElement? Result, BusErrorDto? Error);

internal sealed record BusHistoryMessageDto(string Id, string Topic, JsonElement Payload, BusSenderDto From, string? Target, long Ts);

internal sealed record BusHistoryAck(bool Ok, BusHistoryMessageDto[] Messages, string? Code = null, string? Message = null);

/// <summary>Bus limits as <c>GET /api/cards/limits</c> publishes them (the page applies the same).</summary>
internal sealed record BusLimitsDto(
    int PublishesPerSecond, int PublishBurst, int RequestsPerSecond, int RequestBurst, int MaxPayloadBytes, int HistorySize,
    int DefaultTimeoutMs, int MaxTimeoutMs, int MaxSubscriptionsPerMember, int CallsPerSecond, int CallBurst);
