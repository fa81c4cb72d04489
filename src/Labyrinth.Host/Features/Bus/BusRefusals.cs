using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// Counts every refused bus message (metric <c>labyrinth_bus_refused_total{plugin,reason}</c>) and
/// audits it as <c>bus.refused</c>, at most one row per person, plugin and reason every 10 s, so a
/// flood cannot flood the audit log. Refusals the page found itself arrive through <c>Report</c>.
/// </summary>
internal sealed class BusRefusals(AuditLog audit, LabyrinthMetrics metrics, BusAuditThrottle throttle, TimeProvider clock)
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
        if (!throttle.ShouldRecord(userId, plugin, reason, clock.GetUtcNow()))
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

/// <summary>At most one <c>bus.refused</c> row per (person, plugin, reason) per 10 s; memory bounded.</summary>
internal sealed class BusAuditThrottle
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(Guid, string, string), DateTimeOffset> last = new();

    public bool ShouldRecord(Guid userId, string plugin, string reason, DateTimeOffset now)
    {
        var key = (userId, plugin, reason);
        if (last.TryGetValue(key, out var previous) && now - previous < Window)
        {
            return false;
        }

        if (last.Count >= 10_000)
        {
            foreach (var (k, at) in last)
            {
                if (now - at >= Window)
                {
                    last.TryRemove(new KeyValuePair<(Guid, string, string), DateTimeOffset>(k, at));
                }
            }
        }

        last[key] = now;
        return true;
    }
}
