using System.Collections.Frozen;
using System.Text.Json;
using Labyrinth.Core.Rollouts;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Plugins;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Rollouts;

/// <summary>A rollout that is running or paused, as the hot paths need it.</summary>
internal sealed record CurrentRollout(Guid Id, string PluginId, string FromVersion, string ToVersion, bool Paused, RolloutAudience Audience);

/// <summary>
/// Who may use which plugin, and on which version: group memberships, per-plugin availability and
/// current rollouts, held in memory (like <see cref="PluginCatalog"/>) so spawn checks, the
/// catalogue and plugin file requests never wait for the database. Rebuilt after every change.
/// </summary>
internal sealed class PluginAccess(IServiceScopeFactory scopes)
{
    private sealed record Snapshot(
        FrozenDictionary<Guid, FrozenSet<string>> UserGroups,
        FrozenDictionary<string, FrozenSet<string>> Restricted,
        FrozenDictionary<string, CurrentRollout> Rollouts);

    private static readonly FrozenSet<string> NoGroups = FrozenSet<string>.Empty;

    private volatile Snapshot snapshot = new(
        FrozenDictionary<Guid, FrozenSet<string>>.Empty, FrozenDictionary<string, FrozenSet<string>>.Empty, FrozenDictionary<string, CurrentRollout>.Empty);

    /// <summary>Changes (by reference) whenever anything access depends on is reloaded; caches of access decisions compare it.</summary>
    public object Generation => snapshot;

    /// <summary>True when some plugin is limited to groups (the payload routes skip the board read otherwise).</summary>
    public bool AnyRestricted => snapshot.Restricted.Count > 0;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var members = await db.GroupMembers.AsNoTracking().Select(m => new { m.UserId, m.GroupId }).ToListAsync(ct);
        var restrictedIds = await db.Plugins.AsNoTracking().Where(p => p.AvailabilityRestricted).Select(p => p.Id).ToListAsync(ct);
        var availability = await db.PluginAvailability.AsNoTracking().ToListAsync(ct);
        var rollouts = await db.Rollouts.AsNoTracking()
            .Where(r => r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused).ToListAsync(ct);
        snapshot = new Snapshot(
            members.GroupBy(m => m.UserId).ToFrozenDictionary(g => g.Key, g => g.Select(m => Key(m.GroupId)).ToFrozenSet(StringComparer.Ordinal)),
            restrictedIds.ToFrozenDictionary(
                id => id,
                id => availability.Where(a => a.PluginId == id).Select(a => Key(a.GroupId)).ToFrozenSet(StringComparer.Ordinal),
                StringComparer.Ordinal),
            rollouts.ToFrozenDictionary(r => r.PluginId, ToCurrent, StringComparer.Ordinal));
    }

    public static string Key(Guid groupId) => groupId.ToString("D");

    public static CurrentRollout ToCurrent(RolloutEntity r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var groups = r.GroupIdsJson is null ? null : JsonSerializer.Deserialize<string[]>(r.GroupIdsJson);
        return new CurrentRollout(r.Id, r.PluginId, r.FromVersion, r.ToVersion, r.Status == RolloutStatus.Paused, new RolloutAudience(groups, r.Percent));
    }

    public IReadOnlySet<string> GroupsOf(Guid userId) => snapshot.UserGroups.GetValueOrDefault(userId) ?? NoGroups;

    /// <summary>The groups a plugin is limited to, or null when it is available to everyone.</summary>
    public IReadOnlySet<string>? AllowedGroups(string pluginId) => snapshot.Restricted.GetValueOrDefault(pluginId);

    public CurrentRollout? RolloutOf(string pluginId) => snapshot.Rollouts.GetValueOrDefault(pluginId);

    /// <summary>The plugin is limited to groups or has a current rollout: its files are served only to people the host knows.</summary>
    public bool IsGoverned(string pluginId) => snapshot.Restricted.ContainsKey(pluginId) || snapshot.Rollouts.ContainsKey(pluginId);

    public bool IsAvailable(Guid userId, string pluginId) => RolloutRules.IsAvailable(AllowedGroups(pluginId), GroupsOf(userId));

    /// <summary>
    /// The version this person gets: during a running rollout the new version for its audience and
    /// the previous one for everyone else; once paused (rolled back by the host) the previous one;
    /// otherwise the active version.
    /// </summary>
    public string AssignedVersion(Guid userId, InstalledPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        if (RolloutOf(plugin.Id) is not { } rollout)
        {
            return plugin.ActiveVersion;
        }

        return !rollout.Paused && RolloutRules.InCohort(userId, plugin.Id, rollout.Id.ToString("N"), rollout.Audience, GroupsOf(userId))
            ? rollout.ToVersion
            : rollout.FromVersion;
    }

    /// <summary>
    /// The version a card pinned to <paramref name="pinned"/> runs on for this person: their assigned
    /// version when the assignment moved below the pin (a rollback) and that version has the card's
    /// type; otherwise the pin (a newer assignment waits for the person's consent).
    /// </summary>
    public string CardVersion(Guid userId, InstalledPlugin plugin, string pinned, string typeId)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var assigned = AssignedVersion(userId, plugin);
        return RolloutRules.FollowsAssignment(pinned, assigned) && plugin.Versions.GetValueOrDefault(assigned)?.FindCard(typeId) is not null
            ? assigned
            : pinned;
    }

    /// <summary>
    /// What this person's access to a plugin rests on: the plugin's group limit and which of those
    /// groups they are in, the current rollout (and whether it is paused), and their assigned
    /// version. Signed into their card URLs (<see cref="Plugins.CardCapabilities"/>): when any of it
    /// changes, their old URLs stop working; changes that do not touch them keep their cached files.
    /// </summary>
    public string Stamp(Guid userId, InstalledPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var s = snapshot;
        var allowed = s.Restricted.GetValueOrDefault(plugin.Id);
        var mine = s.UserGroups.GetValueOrDefault(userId) ?? NoGroups;
        var groups = allowed is null ? "*" : string.Join(',', allowed.Order(StringComparer.Ordinal)) + "|" + string.Join(',', allowed.Where(mine.Contains).Order(StringComparer.Ordinal));
        var rollout = s.Rollouts.GetValueOrDefault(plugin.Id) is { } r ? r.Id.ToString("N") + (r.Paused ? ":paused" : ":running") : "-";
        return string.Join('\n', groups, rollout, AssignedVersion(userId, plugin));
    }

    /// <summary>
    /// May this person load this version's code? Their assigned version, and older ones (cards
    /// still pinned there until their person moves them); never a newer one they are not assigned.
    /// </summary>
    public bool AllowsVersion(Guid userId, InstalledPlugin plugin, string version)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        if (!IsAvailable(userId, plugin.Id))
        {
            return false;
        }

        var assigned = AssignedVersion(userId, plugin);
        return string.Equals(version, assigned, StringComparison.Ordinal) ||
               VersionRules.TryParse(version) is { } v && VersionRules.TryParse(assigned) is { } a && VersionRules.IsDowngrade(v, a);
    }
}
