using System.Text.Json.Nodes;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Observability;

namespace Labyrinth.Host.Features.Apps;

/// <summary>The app-platform audit action names (docs/api.md); stable, clients filter on them.</summary>
[AuditActionCatalogue]
internal static class AppAuditActions
{
    public const string ServiceGrant = "service.grant";
    public const string ServiceRevoke = "service.revoke";
    public const string ServiceControl = "service.control";
    public const string ApiCall = "api.call";
    public const string ApiRefused = "api.refused";
}

/// <summary>
/// Audits plugin API calls: <c>api.call</c> when one is routed and <c>api.refused</c> when the host
/// refuses one, each at most once per person, caller, provider method and outcome every 10 s (a
/// loop of calls is one row per window, counted in metrics). Calls that fail later (timeout, bad
/// output) are counted in metrics and written to the provider's log.
/// </summary>
internal sealed class ApiCallAudit(AuditLog audit, LabyrinthMetrics metrics, BusAuditThrottle throttle)
{
    public async Task RecordAsync(string actor, Guid userId, BusMemberIdentity? caller, BusCallInfo? info, BusAck ack, CancellationToken ct)
    {
        var callerPlugin = caller?.PluginId ?? "unknown";
        if (info is not null && !ack.Ok)
        {
            metrics.ApiCall(info.Provider, ack.Code ?? ErrorCodes.ApiInvalid);
        }
        else if (!ack.Ok)
        {
            // No provider yet (the caller's own refusal): counted under the caller, like bus refusals.
            metrics.BusRefused(callerPlugin, (ack.Code ?? ErrorCodes.ApiInvalid).Replace('.', '_'), 1);
        }

        if (ack.Ok && info is null)
        {
            return;
        }

        var what = info is null ? "?" : $"{info.Provider}.{info.Method}";
        if (!await throttle.ShouldRecordAsync(userId, callerPlugin, $"{(ack.Ok ? "ok" : ack.Code)}:{what}", ct))
        {
            return;
        }

        var detail = new JsonObject
        {
            ["caller"] = callerPlugin,
            ["callerKind"] = caller?.Kind,
            ["provider"] = info?.Provider,
            ["method"] = info?.Method,
        };
        if (!ack.Ok)
        {
            detail["code"] = ack.Code;
        }

        await audit.AppendAsync(actor, ack.Ok ? AppAuditActions.ApiCall : AppAuditActions.ApiRefused, callerPlugin, detail, ct);
    }
}
