using System.Text.Json.Nodes;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// Counts every refused bus message (metric <c>labyrinth_bus_refused_total{plugin,reason}</c>) and
/// audits it as <c>bus.refused</c>, at most one row per person, plugin and reason every 10 s, so a
/// flood cannot flood the audit log. Refusals the page found itself arrive through <c>Report</c>.
/// </summary>
internal sealed class BusRefusals(AuditLog audit, LabyrinthMetrics metrics, BusAuditThrottle throttle)
{
    public const string AuditAction = "bus.refused";

    /// <summary>Reasons a page may report (what it refuses before anything reaches the host).</summary>
    public static readonly IReadOnlySet<string> PageReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "topic_not_declared", "too_large", "rate_limited", "not_granted",
    };

    public async Task RecordAsync(string actor, Guid userId, BusMemberIdentity? member, string reason, long count, string seenBy, CancellationToken ct)
    {
        var plugin = member?.PluginId ?? "unknown";
        metrics.BusRefused(plugin, reason, count);
        if (!await throttle.ShouldRecordAsync(userId, plugin, reason, ct))
        {
            return;
        }

        var detail = new JsonObject
        {
            ["member"] = member?.Key,
            ["pluginId"] = member?.PluginId,
            ["typeID"] = member?.TypeID,
            ["reason"] = reason,
            ["count"] = count,
            ["seenBy"] = seenBy,
        };
        await audit.AppendAsync(actor, AuditAction, member?.PluginId, detail, ct);
    }
}

/// <summary>
/// At most one audit row per (person, plugin, what) per 10 s, counted once for the whole cluster
/// (<see cref="Cluster.SharedRateLimits"/>): a flood spread over N instances still writes one row.
/// </summary>
internal sealed class BusAuditThrottle(Cluster.SharedRateLimits limits)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public ValueTask<bool> ShouldRecordAsync(Guid userId, string plugin, string reason, CancellationToken ct) =>
        limits.TryClaimAsync($"audit:bus:{userId:N}:{plugin}:{reason}", Window, ct);
}
