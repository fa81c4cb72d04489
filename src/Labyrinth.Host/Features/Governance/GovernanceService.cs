using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Signing;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Governance;

/// <summary>A governance outcome: the value, or the problem to answer with.</summary>
internal readonly record struct Outcome<T>(T? Value, ProblemHttpResult? Problem)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ProblemHttpResult problem) => new(default, problem);
}

/// <summary>
/// Enable/disable, kill/unkill, activate/rollback, uninstall, trust store and policy. Every change
/// runs under the governance gate, is audited in the same SaveChanges, reloads the catalog at once
/// and is pushed to browsers (pluginsChanged; pluginKilled for kills).
/// </summary>
internal sealed partial class GovernanceService(
    LabyrinthDb db,
    HostPaths paths,
    PluginCatalog catalog,
    AuditLog audit,
    GovernanceGate gate,
    PluginEvents events,
    LabyrinthMetrics metrics,
    Bus.BusRelay bus,
    Apps.ServiceGrantSignals serviceGrants,
    TimeProvider clock)
{
    public const string PolicyMode = "Strict";

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ReverseDnsId();

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

    public Task<Outcome<PluginAdminDto>> EnableAsync(string id, string actor, CancellationToken ct) => Locked<PluginAdminDto>(async () =>
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
                    return Problems.Create(StatusCodes.Status400BadRequest, problems[0].Code, string.Join(" ", problems.Select(p => p.Message)),
                        new Dictionary<string, object?> { ["problems"] = problems.Select(p => new ImportProblem(p.Code, null, null, p.Message)).ToArray() });
                }
            }

            plugin.Enabled = true;
            plugin.UpdatedAt = Now;
            await audit.AppendAsync(actor, AuditActions.Enable, id, new { version = plugin.ActiveVersion }, ct);
            await ChangedAsync(ct);
        }

        return (await FindAsync(id, ct))!;
    });

    public Task<Outcome<PluginAdminDto>> DisableAsync(string id, bool cascade, string actor, CancellationToken ct) => Locked<PluginAdminDto>(async () =>
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
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.DependencyRequired, DependencyResolver.DisableRefusal(nodes, id)!,
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

    public Task<Outcome<PluginAdminDto>> KillAsync(string id, string? version, string? reason, string actor, CancellationToken ct) => Locked<PluginAdminDto>(async () =>
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
        await bus.EvictStoppedAsync();
        await events.KilledAsync(id, version, reason);
        await events.ChangedAsync();
        return (await FindAsync(id, ct))!;
    });

    public Task<Outcome<PluginAdminDto>> UnkillAsync(string id, string? version, string actor, CancellationToken ct) => Locked<PluginAdminDto>(async () =>
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
    });

    public Task<Outcome<PluginAdminDto>> ActivateAsync(string id, string? version, bool rollback, string actor, CancellationToken ct) => Locked<PluginAdminDto>(async () =>
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
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.VersionDowngrade, refusal + " (send rollback: true).");
            }

            if (plugin.Enabled)
            {
                var problems = Dependencies.NewProblems(catalog, id, new PluginNode(id, candidate, target.Manifest.Dependencies));
                if (problems.Count > 0)
                {
                    return Problems.Create(StatusCodes.Status400BadRequest, problems[0].Code, string.Join(" ", problems.Select(p => p.Message)),
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
    });

    public Task<Outcome<bool>> UninstallAsync(string id, string? version, string actor, CancellationToken ct) => Locked<bool>(async () =>
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
                return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.DependencyRequired,
                    $"Uninstalling {id}{(version is null ? "" : "@" + version)} is refused because {string.Join(", ", dependents)} depend{(dependents.Length == 1 ? "s" : "")} on it.",
                    new Dictionary<string, object?> { ["dependents"] = dependents });
            }
        }

        db.PluginVersions.RemoveRange(removing);
        if (remaining.Count == 0)
        {
            db.Plugins.Remove(plugin);
            db.PluginServiceGrants.RemoveRange(db.PluginServiceGrants.Where(g => g.PluginId == id));
            serviceGrants.RevokePlugin(id);
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
            var dir = PluginStore.VersionDir(paths, id, row.Version);
            if (Directory.Exists(dir))
            {
                var trash = Path.Combine(paths.PluginStore, ".trash-" + Guid.NewGuid().ToString("N"));
                Directory.Move(dir, trash);
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
        return true;
    });

    public async Task<TrustedKeyDto[]> ListTrustAsync(CancellationToken ct) =>
        (await db.TrustedKeys.AsNoTracking().OrderBy(k => k.Name).ToListAsync(ct)).Select(ToDto).ToArray();

    public Task<Outcome<TrustedKeyDto>> AddTrustAsync(AddTrustRequest request, string actor, CancellationToken ct) => Locked<TrustedKeyDto>(async () =>
    {
        var name = request.Name?.Trim();
        var key = request.PublicKey is null ? null : DecodePublicKey(request.PublicKey.Trim());
        if (string.IsNullOrEmpty(name) || name.Length > 100 || key is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.TrustInvalidKey,
                "A trusted key needs a name (1–100 characters) and publicKey: base64 of the raw 32-byte Ed25519 public key.");
        }

        var keyId = SignatureFile.KeyIdOf(key);
        var publicKey = Convert.ToBase64String(key);
        if (await db.TrustedKeys.AnyAsync(k => k.KeyId == keyId || k.PublicKey == publicKey, ct))
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.TrustKeyExists, $"The key {keyId} is already trusted.");
        }

        var row = new TrustedKeyEntity { KeyId = keyId, Name = name, PublicKey = publicKey, AddedAt = Now };
        db.TrustedKeys.Add(row);
        await audit.AppendAsync(actor, AuditActions.TrustAdd, null, new { keyId, name, publicKey }, ct);
        return ToDto(row);
    });

    public Task<Outcome<bool>> RemoveTrustAsync(string keyId, string actor, CancellationToken ct) => Locked<bool>(async () =>
    {
        var row = await db.TrustedKeys.SingleOrDefaultAsync(k => k.KeyId == keyId, ct);
        if (row is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.TrustKeyNotFound, $"No trusted key {keyId}.");
        }

        db.TrustedKeys.Remove(row);
        await audit.AppendAsync(actor, AuditActions.TrustRemove, null, new { keyId, name = row.Name, publicKey = row.PublicKey }, ct);
        return true;
    });

    public async Task<PolicyDto> GetPolicyAsync(CancellationToken ct) =>
        new(PolicyMode, (await db.UnsignedAllowlist.AsNoTracking().Select(a => a.PluginId).ToListAsync(ct)).Order(StringComparer.Ordinal).ToArray());

    public Task<Outcome<PolicyDto>> SetPolicyAsync(PolicyRequest request, string actor, CancellationToken ct) => Locked<PolicyDto>(async () =>
    {
        var wanted = (request.UnsignedAllowlist ?? []).Select(i => i?.Trim() ?? "").ToList();
        var bad = wanted.Where(i => i.Length > 200 || !ReverseDnsId().IsMatch(i)).ToList();
        if (bad.Count > 0 || wanted.Count > 1000)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.PolicyInvalid,
                $"unsignedAllowlist holds plugin ids (reverse-DNS, like \"com.example.tool\"), at most 1000; not ids: {string.Join(", ", bad.Take(10).Select(b => $"\"{b}\""))}.");
        }

        var target = wanted.ToHashSet(StringComparer.Ordinal);
        var current = await db.UnsignedAllowlist.ToListAsync(ct);
        var removed = current.Where(c => !target.Contains(c.PluginId)).ToList();
        var added = target.Except(current.Select(c => c.PluginId), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (removed.Count > 0 || added.Count > 0)
        {
            db.UnsignedAllowlist.RemoveRange(removed);
            db.UnsignedAllowlist.AddRange(added.Select(a => new UnsignedAllowlistEntity { PluginId = a, AddedAt = Now }));
            await audit.AppendAsync(actor, AuditActions.PolicyChange, null, new { mode = PolicyMode, added, removed = removed.Select(r => r.PluginId).Order(StringComparer.Ordinal).ToArray() }, ct);
            await events.ChangedAsync();
        }

        return await GetPolicyAsync(ct);
    });

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private Task<RolloutEntity?> CurrentRolloutAsync(string id, CancellationToken ct) =>
        db.Rollouts.AsNoTracking().FirstOrDefaultAsync(r => r.PluginId == id && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused), ct);

    private static byte[]? DecodePublicKey(string base64)
    {
        var buffer = new byte[SignatureFile.PublicKeyLength + 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written == SignatureFile.PublicKeyLength ? buffer[..written] : null;
    }

    private async Task ChangedAsync(CancellationToken ct)
    {
        await catalog.ReloadAsync(ct);
        // Stopped plugins' bus members and services go first, so nothing they send after this counts.
        foreach (var stopped in catalog.All.Where(p => !p.IsUsable))
        {
            serviceGrants.RevokePlugin(stopped.Id);
        }

        await bus.EvictStoppedAsync();
        await events.ChangedAsync();
    }

    private async Task<Outcome<T>> Locked<T>(Func<Task<Outcome<T>>> action)
    {
        await gate.Gate.WaitAsync();
        try
        {
            return await action();
        }
        finally
        {
            gate.Gate.Release();
        }
    }

    private static ProblemHttpResult NotFound(string id) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginNotFound, $"The plugin \"{id}\" is not installed.");

    /// <summary>A version named in a request obeys the rules a manifest's does (strict SemVer, numbers at most 2^53−1).</summary>
    private static ProblemHttpResult? InvalidVersion(string? version) =>
        version is not null && VersionRules.Parse(version, out var problem) is null
            ? Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.VersionInvalid, problem!)
            : null;

    private static ProblemHttpResult VersionNotFound(string id, string version) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.VersionNotFound, $"{id}@{version} is not installed.");

    private static TrustedKeyDto ToDto(TrustedKeyEntity k) => new(k.KeyId, k.Name, k.PublicKey, DateTime.SpecifyKind(k.AddedAt, DateTimeKind.Utc));

    private PluginAdminDto ToDto(PluginEntity p, IEnumerable<PluginVersionEntity> versions, bool unsignedAllowed, List<PluginNode> nodes)
    {
        var versionDtos = versions
            .OrderByDescending(v => VersionRules.TryParse(v.Version)!, SemverPrecedence.Instance)
            .Select(v =>
            {
                var installed = catalog.FindVersion(v.PluginId, v.Version);
                var manifest = installed?.Manifest;
                var fileCount = System.Text.Json.JsonDocument.Parse(v.FilesJson).RootElement.GetArrayLength();
                return new PluginVersionDto(v.Version, DateTime.SpecifyKind(v.InstalledAt, DateTimeKind.Utc), v.TotalBytes, fileCount, v.Digest,
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
