using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Signing;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Governance;

/// <summary>
/// A plugin's life on this host: enable/disable, kill/unkill, activate/rollback, uninstall. Every
/// change runs under the governance gate, is audited in the same SaveChanges, reloads the catalog at
/// once and is pushed to browsers (pluginsChanged; pluginKilled for kills). Refusals are domain
/// outcomes; the endpoints choose the HTTP answer.
/// </summary>
internal sealed class PluginLifecycle(
    LabyrinthDb db,
    HostPaths paths,
    PluginCatalog catalog,
    AuditLog audit,
    GovernanceGate gate,
    PluginEvents events,
    LabyrinthMetrics metrics,
    Bus.BusRelay bus,
    Apps.ServiceGrantSignals serviceGrants,
    Cards.CardGrantSignals cardGrants,
    BlobCollector blobs,
    TimeProvider clock)
{
    public async Task<PluginAdminDto[]> ListAsync(CancellationToken ct)
    {
        var plugins = await db.Plugins.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var versions = await db.PluginVersions.AsNoTracking().ToListAsync(ct);
        var allowlist = (await db.UnsignedAllowlist.AsNoTracking().Select(a => a.PluginId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var nodes = Dependencies.Nodes(catalog);
        return plugins.Select(p => ToDto(p, versions.Where(v => v.PluginId == p.Id), allowlist.Contains(p.Id), nodes)).ToArray();
    }

    public async Task<PluginAdminDto?> FindAsync(string id, CancellationToken ct) =>
        (await ListAsync(ct)).FirstOrDefault(p => p.Id == id);

    public Task<Outcome<PluginAdminDto>> EnableAsync(string id, string actor, CancellationToken ct) => OfferingAsync(id, null, () => gate.RunAsync<Outcome<PluginAdminDto>>(async () =>
    {
        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        if (!plugin.Enabled)
        {
            var active = catalog.FindVersion(id, plugin.ActiveVersion);
            if (active is not null)
            {
                var problems = Dependencies.NewProblems(catalog, id, new PluginNode(id, VersionRules.TryParse(active.Version)!, active.Manifest.Dependencies));
                if (problems.Count > 0)
                {
                    return Refusal.Invalid(problems[0].Code, string.Join(" ", problems.Select(p => p.Message)),
                        new Dictionary<string, object?> { ["problems"] = problems.Select(p => new ImportProblem(p.Code, null, null, p.Message)).ToArray() });
                }
            }

            plugin.Enabled = true;
            plugin.UpdatedAt = Now;
            await audit.AppendAsync(actor, AuditActions.Enable, id, new { version = plugin.ActiveVersion }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    }), ct);

    public Task<Outcome<PluginAdminDto>> DisableAsync(string id, bool cascade, string actor, CancellationToken ct) => gate.RunAsync<Outcome<PluginAdminDto>>(async () =>
    {
        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        if (plugin.Enabled)
        {
            var nodes = Dependencies.Nodes(catalog);
            var dependents = DependencyResolver.Dependents(nodes, id);
            if (dependents.Count > 0 && !cascade)
            {
                return Refusal.Conflict(ErrorCodes.DependencyRequired, DependencyResolver.DisableRefusal(nodes, id)!,
                    new Dictionary<string, object?> { ["dependents"] = dependents.ToArray() });
            }

            foreach (var dependentId in dependents)
            {
                var dependent = await db.Plugins.SingleAsync(p => p.Id == dependentId, ct);
                dependent.Enabled = false;
                dependent.UpdatedAt = Now;
                await audit.AppendAsync(actor, AuditActions.Disable, dependentId, new { version = dependent.ActiveVersion, cascadeFrom = id }, ct);
            }

            plugin.Enabled = false;
            plugin.UpdatedAt = Now;
            await audit.AppendAsync(actor, AuditActions.Disable, id, new { version = plugin.ActiveVersion, cascaded = dependents.ToArray() }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    });

    public Task<Outcome<PluginAdminDto>> KillAsync(string id, string? version, string? reason, string actor, CancellationToken ct) => gate.RunAsync<Outcome<PluginAdminDto>>(async () =>
    {
        if (InvalidVersion(version) is { } invalid)
        {
            return invalid;
        }

        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        reason = string.IsNullOrWhiteSpace(reason) ? "Stopped by an administrator." : reason.Trim();
        if (reason.Length > 500)
        {
            reason = reason[..500];
        }

        if (version is not null)
        {
            var row = await db.PluginVersions.SingleOrDefaultAsync(v => v.PluginId == id && v.Version == version, ct);
            if (row is null)
            {
                return VersionNotFound(id, version);
            }

            row.Killed = true;
            row.KillReason = reason;
        }
        else
        {
            plugin.Killed = true;
            plugin.KillReason = reason;
            plugin.UpdatedAt = Now;
        }

        await audit.AppendAsync(actor, AuditActions.Kill, id, new { version, reason }, ct);
        metrics.PluginKilled();
        await catalog.ReloadAsync(ct);
        serviceGrants.RevokePlugin(id);
        cardGrants.RevokeStoppedHere(catalog);
        await bus.EvictStoppedAsync();
        // One announcement: the other instances reload once, then browsers hear both messages.
        await events.KilledAsync(id, version, reason);
        return (await FindAsync(id, ct))!;
    });

    public Task<Outcome<PluginAdminDto>> UnkillAsync(string id, string? version, string actor, CancellationToken ct) => OfferingAsync(id, version, () => gate.RunAsync<Outcome<PluginAdminDto>>(async () =>
    {
        if (InvalidVersion(version) is { } invalid)
        {
            return invalid;
        }

        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        if (version is not null)
        {
            var row = await db.PluginVersions.SingleOrDefaultAsync(v => v.PluginId == id && v.Version == version, ct);
            if (row is null)
            {
                return VersionNotFound(id, version);
            }

            row.Killed = false;
            row.KillReason = null;
        }
        else
        {
            plugin.Killed = false;
            plugin.KillReason = null;
            plugin.UpdatedAt = Now;
        }

        await audit.AppendAsync(actor, AuditActions.Unkill, id, new { version }, ct);
        await ChangedAsync(ct);
        return (await FindAsync(id, ct))!;
    }), ct);

    public Task<Outcome<PluginAdminDto>> ActivateAsync(string id, string? version, bool rollback, string actor, CancellationToken ct) => OfferingAsync(id, version, () => gate.RunAsync<Outcome<PluginAdminDto>>(async () =>
    {
        if (InvalidVersion(version) is { } invalid)
        {
            return invalid;
        }

        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        var target = version is null ? null : catalog.FindVersion(id, version);
        if (version is null || target is null)
        {
            return VersionNotFound(id, version ?? "(none)");
        }

        if (plugin.ActiveVersion != version && await CurrentRolloutAsync(id, ct) is not null)
        {
            return Rollouts.RolloutService.InProgress(id);
        }

        if (plugin.ActiveVersion != version)
        {
            var candidate = VersionRules.TryParse(version)!;
            var active = VersionRules.TryParse(plugin.ActiveVersion);
            if (VersionRules.CheckActivation(id, candidate, active, rollback) is { } refusal)
            {
                return Refusal.Conflict(ErrorCodes.VersionDowngrade, refusal + " (send rollback: true).");
            }

            if (plugin.Enabled)
            {
                var problems = Dependencies.NewProblems(catalog, id, new PluginNode(id, candidate, target.Manifest.Dependencies));
                if (problems.Count > 0)
                {
                    return Refusal.Invalid(problems[0].Code, string.Join(" ", problems.Select(p => p.Message)),
                        new Dictionary<string, object?> { ["problems"] = problems.Select(p => new ImportProblem(p.Code, null, null, p.Message)).ToArray() });
                }
            }

            var previous = plugin.ActiveVersion;
            plugin.ActiveVersion = version;
            plugin.UpdatedAt = Now;
            var isRollback = active is not null && VersionRules.IsDowngrade(candidate, active);
            await audit.AppendAsync(actor, isRollback ? AuditActions.Rollback : AuditActions.Activate, id, new { version, previousActiveVersion = previous }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    }), ct);

    /// <summary>
    /// Uninstalls one version, or the whole plugin when <paramref name="version"/> is null. Its
    /// configuration and stored data stay for a later reinstall unless <paramref name="deleteData"/>
    /// (only when no version remains).
    /// </summary>
    public Task<Outcome<bool>> UninstallAsync(string id, string? version, string actor, CancellationToken ct, bool deleteData = false) => gate.RunAsync<Outcome<bool>>(async () =>
    {
        if (InvalidVersion(version) is { } invalid)
        {
            return invalid;
        }

        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (plugin is null)
        {
            return NotFound(id);
        }

        var rows = await db.PluginVersions.Where(v => v.PluginId == id).ToListAsync(ct);
        var removing = version is null ? rows : rows.Where(v => v.Version == version).ToList();
        if (removing.Count == 0)
        {
            return VersionNotFound(id, version!);
        }

        if (await CurrentRolloutAsync(id, ct) is { } rollout && removing.Any(r => r.Version == rollout.FromVersion || r.Version == rollout.ToVersion))
        {
            return Rollouts.RolloutService.InProgress(id);
        }

        var remaining = rows.Except(removing).ToList();
        var nextActive = remaining.Count == 0 || removing.All(r => r.Version != plugin.ActiveVersion)
            ? plugin.ActiveVersion
            : remaining.Select(r => r.Version).OrderByDescending(v => VersionRules.TryParse(v)!, SemverPrecedence.Instance).First();
        if (plugin.Enabled && !plugin.Killed)
        {
            var replacement = remaining.Count == 0 ? null : catalog.FindVersion(id, nextActive) is { } next
                ? new PluginNode(id, VersionRules.TryParse(next.Version)!, next.Manifest.Dependencies)
                : null;
            var problems = Dependencies.NewProblems(catalog, id, replacement);
            if (problems.Count > 0)
            {
                var dependents = problems.Select(p => p.PluginId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                return Refusal.Conflict(ErrorCodes.DependencyRequired,
                    $"Uninstalling {id}{(version is null ? "" : "@" + version)} is refused because {string.Join(", ", dependents)} depend{(dependents.Length == 1 ? "s" : "")} on it.",
                    new Dictionary<string, object?> { ["dependents"] = dependents });
            }
        }

        if (remaining.Count > 0 && nextActive != plugin.ActiveVersion)
        {
            // Removing the active version offers the newest remaining one.
            await PrepareOfferAsync(id, nextActive, ct);
        }

        db.PluginVersions.RemoveRange(removing);
        if (remaining.Count == 0)
        {
            db.Plugins.Remove(plugin);
            db.PluginServiceGrants.RemoveRange(db.PluginServiceGrants.Where(g => g.PluginId == id));
            serviceGrants.RevokePlugin(id);
            if (deleteData)
            {
                // In the same commit as the uninstall and its audit row: all of it happens, or none.
                db.PluginStorage.RemoveRange(db.PluginStorage.Where(i => i.PluginId == id));
                db.PluginConfigs.RemoveRange(db.PluginConfigs.Where(c => c.PluginId == id));
            }
        }
        else
        {
            plugin.ActiveVersion = nextActive;
            plugin.UpdatedAt = Now;
        }

        // Move the files aside first: a failed commit puts them back, a committed one deletes them.
        var moved = new List<(string From, string To)>();
        foreach (var row in removing)
        {
            // No "does it exist" first: another instance sharing the store may move it in between.
            var dir = PluginStore.VersionDir(paths, id, row.Version);
            if (VersionDirectory.Retire(paths.PluginStore, dir) is { } trash)
            {
                moved.Add((dir, trash));
            }
        }

        try
        {
            await audit.AppendAsync(actor, AuditActions.Uninstall, id, new
            {
                versions = removing.Select(r => r.Version).ToArray(),
                digests = removing.Select(r => r.Digest).ToArray(),
                activeVersion = remaining.Count == 0 ? null : nextActive,
                data = remaining.Count > 0 ? null : deleteData ? "deleted" : "kept",
            }, ct);
        }
        catch
        {
            foreach (var (from, to) in moved)
            {
                Directory.Move(to, from);
            }

            throw;
        }

        foreach (var (_, trash) in moved)
        {
            PluginStore.DeleteQuietly(trash);
        }

        if (remaining.Count == 0)
        {
            PluginStore.DeleteQuietly(Path.Combine(paths.PluginStore, id));
        }

        foreach (var row in removing)
        {
            catalog.Forget(id, row.Version);
        }

        await ChangedAsync(ct);

        // The removed versions' files leave the blob store unless another installed version (of
        // this or any plugin) or an upload has the same bytes.
        await blobs.CollectAsync(removing.SelectMany(FileHashes), BlobCollector.ReasonUninstall, CancellationToken.None);
        return true;
    });

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static IEnumerable<string> FileHashes(PluginVersionEntity row) =>
        (System.Text.Json.JsonSerializer.Deserialize<List<StoredFile>>(row.FilesJson, System.Text.Json.JsonSerializerOptions.Web) ?? []).Select(f => f.Sha256);

    private Task<RolloutEntity?> CurrentRolloutAsync(string id, CancellationToken ct) =>
        db.Rollouts.AsNoTracking().FirstOrDefaultAsync(r => r.PluginId == id && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused), ct);

    /// <summary>
    /// Runs <paramref name="change"/> after the first phase for <paramref name="id"/>@<paramref name="version"/>
    /// (null: its active version): every live instance has loaded it. Outside the gate, so an
    /// instance that is slow to answer holds up this change only, never a kill behind it. An unknown
    /// plugin or version skips it: the change itself answers that.
    /// </summary>
    private async Task<T> OfferingAsync<T>(string id, string? version, Func<Task<T>> change, CancellationToken ct)
    {
        version ??= await db.Plugins.AsNoTracking().Where(p => p.Id == id).Select(p => p.ActiveVersion).SingleOrDefaultAsync(ct);
        if (version is not null && InvalidVersion(version) is null)
        {
            await PrepareOfferAsync(id, version, ct);
        }

        return await change();
    }

    /// <summary>The first phase of a change that offers <paramref name="id"/>@<paramref name="version"/>: every live instance loads it first.</summary>
    private async Task PrepareOfferAsync(string id, string version, CancellationToken ct)
    {
        if (await db.PluginVersions.AsNoTracking().SingleOrDefaultAsync(v => v.PluginId == id && v.Version == version, ct) is { } row)
        {
            await events.PrepareOfferAsync([PreparedVersion.From(row)], ct);
        }
    }

    private async Task ChangedAsync(CancellationToken ct)
    {
        await catalog.ReloadAsync(ct);
        // Stopped plugins' bus members and services go first, so nothing they send after this counts.
        foreach (var stopped in catalog.All.Where(p => !p.IsUsable))
        {
            serviceGrants.RevokePlugin(stopped.Id);
        }

        cardGrants.RevokeStoppedHere(catalog);
        await bus.EvictStoppedAsync();
        await events.ChangedAsync();
    }

    private static Refusal NotFound(string id) =>
        Refusal.NotFound(ErrorCodes.PluginNotFound, $"The plugin \"{id}\" is not installed.");

    /// <summary>A version named in a request obeys the rules a manifest's does (strict SemVer, numbers at most 2^53−1).</summary>
    private static Refusal? InvalidVersion(string? version) =>
        version is not null && VersionRules.Parse(version, out var problem) is null
            ? Refusal.Invalid(ErrorCodes.VersionInvalid, problem!)
            : null;

    private static Refusal VersionNotFound(string id, string version) =>
        Refusal.NotFound(ErrorCodes.VersionNotFound, $"{id}@{version} is not installed.");

    private PluginAdminDto ToDto(PluginEntity p, IEnumerable<PluginVersionEntity> versions, bool unsignedAllowed, List<PluginNode> nodes)
    {
        var versionDtos = versions
            .OrderByDescending(v => VersionRules.TryParse(v.Version)!, SemverPrecedence.Instance)
            .Select(v =>
            {
                var installed = catalog.FindVersion(v.PluginId, v.Version);
                var manifest = installed?.Manifest;
                var fileCount = System.Text.Json.JsonDocument.Parse(v.FilesJson).RootElement.GetArrayLength();
                return new PluginVersionDto(v.Version, v.InstalledAt, v.TotalBytes, fileCount, v.Digest,
                    new SignatureDto(v.SignatureStatus, v.KeyName, v.KeyId), v.Killed, v.Version == p.ActiveVersion,
                    manifest?.Name ?? p.Id, manifest?.Description ?? "", manifest?.Dependencies ?? new Dictionary<string, string>())
                {
                    Accessibility = installed?.Accessibility,
                };
            })
            .ToArray();
        return new PluginAdminDto(p.Id, p.ActiveVersion, p.Enabled, p.Killed, unsignedAllowed, versionDtos, [.. DependencyResolver.Dependents(nodes, p.Id)]);
    }
}

internal sealed class SemverPrecedence : IComparer<Semver.SemVersion>
{
    public static readonly SemverPrecedence Instance = new();

    public int Compare(Semver.SemVersion? x, Semver.SemVersion? y) => Semver.SemVersion.ComparePrecedence(x, y);
}
