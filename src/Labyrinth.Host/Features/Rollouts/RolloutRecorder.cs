using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Plugins;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Rollouts;

/// <summary>What a browser reported about one open of a card.</summary>
internal enum CardOutcome
{
    Opened,
    MountFailed,
    CardError,
    BridgeViolation,
}

/// <summary>
/// Counts opens, mount failures, card errors and bridge violations against a running rollout's two
/// versions, then lets <see cref="RolloutService.JudgeAsync"/> decide. Reports come from people's
/// browsers, so only a person assigned to (or still pinned on) a version counts for it, and each
/// person counts at most <see cref="RolloutReportLimiter.PerMinute"/> times a minute per version:
/// one person cannot roll a good version back, or hide a bad one, by replaying reports.
/// </summary>
internal sealed class RolloutRecorder(LabyrinthDb db, PluginCatalog catalog, PluginAccess access, RolloutReportLimiter limiter, RolloutService rollouts)
{
    public async Task RecordAsync(Guid userId, string pluginId, string version, CardOutcome outcome, CancellationToken ct)
    {
        if (access.RolloutOf(pluginId) is not { Paused: false } rollout || catalog.Find(pluginId) is not { } plugin)
        {
            return;
        }

        var candidate = string.Equals(version, rollout.ToVersion, StringComparison.Ordinal);
        if (!candidate && !string.Equals(version, rollout.FromVersion, StringComparison.Ordinal))
        {
            return;
        }

        if (!access.AllowsVersion(userId, plugin, version) || !await limiter.AllowAsync(userId, rollout.Id, version, outcome, ct))
        {
            return;
        }

        var rows = db.Rollouts.Where(r => r.Id == rollout.Id && r.Status == RolloutStatus.Running);
        var changed = (candidate, outcome) switch
        {
            (true, CardOutcome.Opened) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.ToOpens, r => r.ToOpens + 1), ct),
            (true, CardOutcome.MountFailed) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.ToOpens, r => r.ToOpens + 1).SetProperty(r => r.ToMountFailures, r => r.ToMountFailures + 1), ct),
            (true, CardOutcome.CardError) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.ToCardErrors, r => r.ToCardErrors + 1), ct),
            (true, _) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.ToBridgeViolations, r => r.ToBridgeViolations + 1), ct),
            (false, CardOutcome.Opened) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.FromOpens, r => r.FromOpens + 1), ct),
            (false, CardOutcome.MountFailed) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.FromOpens, r => r.FromOpens + 1).SetProperty(r => r.FromMountFailures, r => r.FromMountFailures + 1), ct),
            (false, CardOutcome.CardError) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.FromCardErrors, r => r.FromCardErrors + 1), ct),
            (false, _) => await rows.ExecuteUpdateAsync(s => s.SetProperty(r => r.FromBridgeViolations, r => r.FromBridgeViolations + 1), ct),
        };

        // Judged on the candidate's reports (any of them: the Nth open is what makes earlier
        // failures count); the previous version's figures are read at the same time.
        if (changed > 0 && candidate)
        {
            await rollouts.JudgeAsync(rollout.Id, ct);
        }
    }
}

/// <summary>
/// At most <see cref="PerMinute"/> counted reports per person, rollout, version and kind a minute
/// (a bucket refilled at that rate), counted once for the whole cluster: replaying reports through
/// N instances counts no more than through one.
/// </summary>
internal sealed class RolloutReportLimiter(Cluster.SharedRateLimits limits)
{
    public const int PerMinute = 60;

    public async ValueTask<bool> AllowAsync(Guid userId, Guid rolloutId, string version, CardOutcome outcome, CancellationToken ct) =>
        (await limits.TryTakeAsync($"rollout:{userId:N}:{rolloutId:N}:{version}:{outcome}", new Cluster.RateLimit(PerMinute, PerMinute), ct)).Allowed;
}
