using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Rollouts;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Rollouts;

/// <summary>The defaults a rollout takes when its request leaves them out (configuration "Labyrinth:Rollouts").</summary>
internal sealed class RolloutOptions
{
    public int MinOpens { get; set; } = RolloutHealthPolicy.DefaultMinOpens;
    public double MarginPerThousand { get; set; } = RolloutHealthPolicy.DefaultMarginPerThousand;
}

/// <summary>
/// Availability per plugin and staged rollouts: start, promote, roll back, and the host's own
/// rollback when the candidate fails more than the version before it. Every change runs under the
/// governance gate (a promote changes the active version), is audited in the same SaveChanges,
/// refreshes <see cref="PluginAccess"/> and the catalog, and is pushed to browsers.
/// </summary>
internal sealed partial class RolloutService(
    LabyrinthDb db,
    PluginCatalog catalog,
    PluginAccess access,
    AuditLog audit,
    GovernanceGate gate,
    PluginEvents events,
    Bus.BusRelay bus,
    IOptions<RolloutOptions> options,
    TimeProvider clock,
    ILogger<RolloutService> logger)
{
    private const int MaxNamesPerSide = 100;

    public async Task<Outcome<PluginRolloutDto>> GetAsync(string pluginId, CancellationToken ct)
    {
        var plugin = await db.Plugins.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pluginId, ct);
        if (plugin is null)
        {
            return PluginNotFound(pluginId);
        }

        var groups = await db.Groups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        var rows = await db.Rollouts.AsNoTracking().Where(r => r.PluginId == pluginId).OrderByDescending(r => r.StartedAt).Take(10).ToListAsync(ct);
        var current = rows.FirstOrDefault(r => RolloutStatus.IsCurrent(r.Status));
        var last = rows.FirstOrDefault(r => !RolloutStatus.IsCurrent(r.Status));
        var people = current is null ? null : await PeopleAsync(pluginId, ct);
        return new PluginRolloutDto(pluginId, plugin.ActiveVersion, await AvailabilityAsync(plugin, groups, ct),
            current is null ? null : ToDto(current, groups, people),
            last is null ? null : ToDto(last, groups, null));
    }

    public Task<Outcome<AvailabilityDto>> SetAvailabilityAsync(string pluginId, Guid[]? groupIds, string actor, CancellationToken ct) => gate.RunAsync<Outcome<AvailabilityDto>>(async () =>
    {
        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == pluginId, ct);
        if (plugin is null)
        {
            return PluginNotFound(pluginId);
        }

        var wanted = groupIds?.Distinct().ToArray();
        if (wanted is { Length: > GroupRules.MaxGroupsPerAvailability })
        {
            return Refusal.Invalid(ErrorCodes.AvailabilityInvalid,
                $"A plugin can be limited to at most {GroupRules.MaxGroupsPerAvailability} groups.");
        }

        var groups = await db.Groups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.Name, ct);
        if (wanted?.Where(id => !groups.ContainsKey(id)).Select(id => (Guid?)id).FirstOrDefault() is { } unknown)
        {
            return Refusal.Invalid(ErrorCodes.GroupNotFound, $"There is no group {unknown}.");
        }

        var existing = await db.PluginAvailability.Where(a => a.PluginId == pluginId).ToListAsync(ct);
        var before = plugin.AvailabilityRestricted ? existing.Select(a => a.GroupId).Order().ToArray() : null;
        var after = wanted?.Order().ToArray();
        if (before is null != after is null || before is not null && !before.SequenceEqual(after!))
        {
            db.PluginAvailability.RemoveRange(existing);
            if (after is not null)
            {
                db.PluginAvailability.AddRange(after.Select(g => new PluginAvailabilityEntity { PluginId = pluginId, GroupId = g }));
            }

            plugin.AvailabilityRestricted = after is not null;
            plugin.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            await audit.AppendAsync(actor, RolloutAuditActions.Availability, pluginId, new
            {
                groups = after?.Select(g => new { id = g, name = groups[g] }).ToArray(),
                previousGroups = before?.Select(g => new { id = g, name = groups.GetValueOrDefault(g) }).ToArray(),
            }, ct);
            await ChangedAsync(reloadCatalog: false, ct);
        }

        return await AvailabilityAsync(plugin, groups, ct);
    });

    /// <summary>Null when the request is a valid rollout of that plugin, else the problem; checked before an upload installs anything.</summary>
    public async Task<Refusal?> CheckStartAsync(string pluginId, StartRolloutRequest request, bool installing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RolloutRules.CheckAudience(request.Groups?.Select(PluginAccess.Key).ToArray(), request.Percent) is { } audienceProblem)
        {
            return Refusal.Invalid(ErrorCodes.RolloutInvalid, audienceProblem);
        }

        var o = options.Value;
        if (RolloutRules.CheckPolicy(request.MinOpens ?? o.MinOpens, request.MarginPerThousand ?? o.MarginPerThousand) is { } policyProblem)
        {
            return Refusal.Invalid(ErrorCodes.RolloutInvalid, policyProblem);
        }

        if (request.Groups is { } groupIds)
        {
            if (groupIds.Length > GroupRules.MaxGroupsPerAvailability)
            {
                return Refusal.Invalid(ErrorCodes.RolloutInvalid, $"A rollout goes to at most {GroupRules.MaxGroupsPerAvailability} groups.");
            }

            var known = await db.Groups.AsNoTracking().Select(g => g.Id).ToListAsync(ct);
            if (groupIds.Where(g => !known.Contains(g)).Select(g => (Guid?)g).FirstOrDefault() is { } missing)
            {
                return Refusal.Invalid(ErrorCodes.GroupNotFound, $"There is no group {missing}.");
            }
        }

        var plugin = await db.Plugins.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pluginId, ct);
        if (plugin is null)
        {
            return installing
                ? Refusal.Conflict(ErrorCodes.RolloutInvalid, $"{pluginId} is not installed yet, so there is no previous version to keep people on; install it for everyone first.")
                : PluginNotFound(pluginId);
        }

        if (await db.Rollouts.AnyAsync(r => r.PluginId == pluginId && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused), ct))
        {
            return InProgress(pluginId);
        }

        return null;
    }

    public Task<Outcome<PluginRolloutDto>> StartAsync(string pluginId, StartRolloutRequest request, string actor, CancellationToken ct) => OfferingAsync(pluginId, request.Version, () => gate.RunAsync<Outcome<PluginRolloutDto>>(async () =>
    {
        if (await CheckStartAsync(pluginId, request, installing: false, ct) is { } problem)
        {
            return problem;
        }

        if (request.Version is null)
        {
            return Refusal.Invalid(ErrorCodes.VersionInvalid, "Name the version to roll out: { \"version\": \"1.2.0\", … }.");
        }

        if (VersionRules.Parse(request.Version, out var versionProblem) is not { } candidate)
        {
            return Refusal.Invalid(ErrorCodes.VersionInvalid, versionProblem!);
        }

        var plugin = await db.Plugins.SingleAsync(p => p.Id == pluginId, ct);
        var target = catalog.FindVersion(pluginId, request.Version);
        if (target is null)
        {
            return Refusal.NotFound(ErrorCodes.VersionNotFound, $"{pluginId}@{request.Version} is not installed.");
        }

        if (VersionRules.TryParse(plugin.ActiveVersion) is not { } active || !VersionRules.IsUpgrade(candidate, active))
        {
            return Refusal.Conflict(ErrorCodes.RolloutInvalid,
                $"Only a version newer than the active one ({plugin.ActiveVersion}) can be rolled out; to go back, activate an earlier version with rollback.");
        }

        if (catalog.IsKilled(pluginId, request.Version))
        {
            return Refusal.Conflict(ErrorCodes.RolloutInvalid, $"{pluginId}@{request.Version} is killed; unkill it before rolling it out.");
        }

        if (plugin.Enabled && Dependencies.NewProblems(catalog, pluginId, new PluginNode(pluginId, candidate, target.Manifest.Dependencies)) is { Count: > 0 } dependencyProblems)
        {
            return Refusal.Invalid(dependencyProblems[0].Code, string.Join(" ", dependencyProblems.Select(p => p.Message)));
        }

        var o = options.Value;
        var row = new RolloutEntity
        {
            Id = Guid.NewGuid(),
            PluginId = pluginId,
            FromVersion = plugin.ActiveVersion,
            ToVersion = request.Version,
            Status = RolloutStatus.Running,
            Percent = request.Percent,
            GroupIdsJson = request.Groups is null ? null : JsonSerializer.Serialize(request.Groups.Distinct().Select(PluginAccess.Key).ToArray()),
            MinOpens = request.MinOpens ?? o.MinOpens,
            MarginPerThousand = request.MarginPerThousand ?? o.MarginPerThousand,
            StartedBy = actor,
            StartedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Rollouts.Add(row);
        await audit.AppendAsync(actor, RolloutAuditActions.RolloutStart, pluginId, new
        {
            rolloutId = row.Id,
            from = row.FromVersion,
            to = row.ToVersion,
            percent = row.Percent,
            groups = request.Groups?.Distinct().ToArray(),
            minOpens = row.MinOpens,
            marginPerThousand = row.MarginPerThousand,
        }, ct);
        await ChangedAsync(reloadCatalog: false, ct);
        return (await GetAsync(pluginId, ct)).Value!;
    }), ct);

    /// <summary>Everyone moves to the new version: it becomes the active version and the rollout ends.</summary>
    public Task<Outcome<PluginRolloutDto>> PromoteAsync(string pluginId, string actor, CancellationToken ct) => OfferingAsync(pluginId, null, () => gate.RunAsync<Outcome<PluginRolloutDto>>(async () =>
    {
        var (plugin, row, missing) = await CurrentAsync(pluginId, ct);
        if (missing is not null)
        {
            return missing;
        }

        if (catalog.FindVersion(pluginId, row!.ToVersion) is null)
        {
            return Refusal.Conflict(ErrorCodes.VersionNotFound, $"{pluginId}@{row.ToVersion} is no longer installed; roll back instead.");
        }

        var previous = plugin!.ActiveVersion;
        plugin.ActiveVersion = row.ToVersion;
        plugin.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        End(row, RolloutStatus.Promoted, actor);
        await audit.AppendAsync(actor, RolloutAuditActions.RolloutPromote, pluginId, new
        {
            rolloutId = row.Id, version = row.ToVersion, previousActiveVersion = previous, figures = Figures(row),
        }, ct);
        await ChangedAsync(reloadCatalog: true, ct);
        return (await GetAsync(pluginId, ct)).Value!;
    }), ct);

    /// <summary>Everyone goes back to the previous version; the rollout ends.</summary>
    public Task<Outcome<PluginRolloutDto>> RollBackAsync(string pluginId, string actor, CancellationToken ct) => gate.RunAsync<Outcome<PluginRolloutDto>>(async () =>
    {
        var (_, row, missing) = await CurrentAsync(pluginId, ct);
        if (missing is not null)
        {
            return missing;
        }

        End(row!, RolloutStatus.RolledBack, actor);
        await audit.AppendAsync(actor, RolloutAuditActions.RolloutRollback, pluginId, new
        {
            rolloutId = row!.Id, from = row.ToVersion, to = row.FromVersion, figures = Figures(row),
        }, ct);
        await ChangedAsync(reloadCatalog: false, ct);
        return (await GetAsync(pluginId, ct)).Value!;
    });

    /// <summary>
    /// Judges a running rollout on its current figures and, when the candidate fails more than the
    /// previous version by the margin, pauses it (everyone back on the previous version) and says
    /// why in the audit log. Returns true when it rolled back.
    /// </summary>
    public async Task<bool> JudgeAsync(Guid rolloutId, CancellationToken ct)
    {
        var peek = await db.Rollouts.AsNoTracking().SingleOrDefaultAsync(r => r.Id == rolloutId, ct);
        if (peek is null || peek.Status != RolloutStatus.Running || !Verdict(peek).RollBack)
        {
            return false;
        }

        var outcome = await gate.RunAsync<Outcome<bool>>(async () =>
        {
            var row = await db.Rollouts.SingleOrDefaultAsync(r => r.Id == rolloutId, ct);
            if (row is null || row.Status != RolloutStatus.Running)
            {
                return false;
            }

            var verdict = Verdict(row);
            if (!verdict.RollBack)
            {
                return false;
            }

            var at = clock.GetUtcNow().UtcDateTime;
            row.Status = RolloutStatus.Paused;
            var breaches = verdict.Breaches.Select(b => new RateBreachDto(b.Rate, b.CandidatePerThousand, b.PreviousPerThousand, b.MarginPerThousand)).ToArray();
            row.AutoRollbackJson = JsonSerializer.Serialize(new AutoRollbackDto(at, breaches), JsonSerializerOptions.Web);
            await audit.AppendAsync(AuditActions.SystemActor, RolloutAuditActions.RolloutAutoRollback, row.PluginId, new
            {
                rolloutId = row.Id,
                from = row.ToVersion,
                to = row.FromVersion,
                minOpens = row.MinOpens,
                marginPerThousand = row.MarginPerThousand,
                breaches,
                figures = Figures(row),
            }, ct);
            LogAutoRollback(logger, row.PluginId, row.ToVersion, row.FromVersion, string.Join(", ", breaches.Select(b => $"{b.Rate} {b.CandidatePerThousand}‰ vs {b.PreviousPerThousand}‰")));
            await ChangedAsync(reloadCatalog: false, ct);
            return true;
        });
        return outcome.Value;
    }

    private static RolloutVerdict Verdict(RolloutEntity row) =>
        RolloutRules.Judge(
            new VersionFigures(row.ToOpens, row.ToMountFailures, row.ToCardErrors, row.ToBridgeViolations),
            new VersionFigures(row.FromOpens, row.FromMountFailures, row.FromCardErrors, row.FromBridgeViolations),
            new RolloutHealthPolicy(row.MinOpens, row.MarginPerThousand));

    private async Task<(PluginEntity? Plugin, RolloutEntity? Row, Refusal? Missing)> CurrentAsync(string pluginId, CancellationToken ct)
    {
        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == pluginId, ct);
        if (plugin is null)
        {
            return (null, null, PluginNotFound(pluginId));
        }

        var row = await db.Rollouts.SingleOrDefaultAsync(r => r.PluginId == pluginId && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused), ct);
        return row is null
            ? (plugin, null, Refusal.NotFound(ErrorCodes.RolloutNotFound, $"{pluginId} has no rollout in progress."))
            : (plugin, row, null);
    }

    private void End(RolloutEntity row, string status, string actor)
    {
        row.Status = status;
        row.EndedBy = actor;
        row.EndedAt = clock.GetUtcNow().UtcDateTime;
    }

    private static object Figures(RolloutEntity r) => new
    {
        previous = Side(r.FromVersion, new VersionFigures(r.FromOpens, r.FromMountFailures, r.FromCardErrors, r.FromBridgeViolations)),
        candidate = Side(r.ToVersion, new VersionFigures(r.ToOpens, r.ToMountFailures, r.ToCardErrors, r.ToBridgeViolations)),
    };

    private static object Side(string version, VersionFigures f) => new
    {
        version,
        opens = f.Opens,
        mountFailures = f.MountFailures,
        cardErrors = f.CardErrors,
        bridgeViolations = f.BridgeViolations,
        mountFailuresPerThousand = f.MountFailuresPerThousand,
        cardErrorsPerThousand = f.CardErrorsPerThousand,
        bridgeViolationsPerThousand = f.BridgeViolationsPerThousand,
    };

    /// <summary>Who is on which version of a plugin with a current rollout.</summary>
    private async Task<Dictionary<string, List<string>>> PeopleAsync(string pluginId, CancellationToken ct)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var plugin = catalog.Find(pluginId);
        if (plugin is null)
        {
            return result;
        }

        var users = await db.Users.AsNoTracking().OrderBy(u => u.NormalizedUserName).Select(u => new { u.Id, u.UserName }).ToListAsync(ct);
        foreach (var user in users.Where(u => access.IsAvailable(u.Id, pluginId)))
        {
            var version = access.AssignedVersion(user.Id, plugin);
            if (!result.TryGetValue(version, out var names))
            {
                result[version] = names = [];
            }

            names.Add(user.UserName);
        }

        return result;
    }

    private static RolloutDto ToDto(RolloutEntity r, Dictionary<Guid, string> groups, Dictionary<string, List<string>>? people)
    {
        RolloutSideDto SideDto(string version, VersionFigures f)
        {
            var names = people?.GetValueOrDefault(version) ?? [];
            return new RolloutSideDto(version, f.Opens, f.MountFailures, f.CardErrors, f.BridgeViolations,
                f.MountFailuresPerThousand, f.CardErrorsPerThousand, f.BridgeViolationsPerThousand, names.Count, names.Take(MaxNamesPerSide).ToArray());
        }

        var groupIds = r.GroupIdsJson is null ? null : JsonSerializer.Deserialize<string[]>(r.GroupIdsJson);
        return new RolloutDto(
            r.Id,
            r.PluginId,
            r.Status,
            r.Percent,
            groupIds?.Select(Guid.Parse).Select(g => new AvailabilityGroupDto(g, groups.GetValueOrDefault(g) ?? "(deleted group)")).ToArray(),
            r.MinOpens,
            r.MarginPerThousand,
            SideDto(r.FromVersion, new VersionFigures(r.FromOpens, r.FromMountFailures, r.FromCardErrors, r.FromBridgeViolations)),
            SideDto(r.ToVersion, new VersionFigures(r.ToOpens, r.ToMountFailures, r.ToCardErrors, r.ToBridgeViolations)),
            r.StartedBy,
            DateTime.SpecifyKind(r.StartedAt, DateTimeKind.Utc),
            r.EndedBy,
            r.EndedAt is { } ended ? DateTime.SpecifyKind(ended, DateTimeKind.Utc) : null,
            r.AutoRollbackJson is null ? null : JsonSerializer.Deserialize<AutoRollbackDto>(r.AutoRollbackJson, JsonSerializerOptions.Web));
    }

    private async Task<AvailabilityDto> AvailabilityAsync(PluginEntity plugin, Dictionary<Guid, string> groups, CancellationToken ct)
    {
        if (!plugin.AvailabilityRestricted)
        {
            return new AvailabilityDto(plugin.Id, null);
        }

        var ids = await db.PluginAvailability.AsNoTracking().Where(a => a.PluginId == plugin.Id).Select(a => a.GroupId).ToListAsync(ct);
        return new AvailabilityDto(plugin.Id, ids.Where(groups.ContainsKey).Select(g => new AvailabilityGroupDto(g, groups[g])).OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).ToArray());
    }

    /// <summary>
    /// Runs <paramref name="change"/> after every live instance has loaded the version it offers to
    /// more people: <paramref name="version"/>, or (null) the running rollout's candidate. Outside
    /// the gate, so a slow instance holds up this change only; whatever is unknown is left to the change to refuse.
    /// </summary>
    private async Task<T> OfferingAsync<T>(string pluginId, string? version, Func<Task<T>> change, CancellationToken ct)
    {
        version ??= await db.Rollouts.AsNoTracking()
            .Where(r => r.PluginId == pluginId && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused))
            .Select(r => r.ToVersion).FirstOrDefaultAsync(ct);
        if (version is not null && VersionRules.Parse(version, out _) is not null
            && await db.PluginVersions.AsNoTracking().SingleOrDefaultAsync(v => v.PluginId == pluginId && v.Version == version, ct) is { } row)
        {
            await events.PrepareOfferAsync([PreparedVersion.From(row)], ct);
        }

        return await change();
    }

    private async Task ChangedAsync(bool reloadCatalog, CancellationToken ct)
    {
        if (reloadCatalog)
        {
            await catalog.ReloadAsync(ct);
        }

        await access.ReloadAsync(ct);
        // Members on a version that is no longer the person's, or of a plugin no longer available
        // to them, leave the bus before any page hears of the change.
        await bus.EvictStoppedAsync();
        await events.ChangedAsync();
    }

    public static Refusal InProgress(string pluginId) =>
        Refusal.Conflict(ErrorCodes.RolloutInProgress,
            $"{pluginId} has a rollout in progress; promote it or roll it back first.");

    private static Refusal PluginNotFound(string id) =>
        Refusal.NotFound(ErrorCodes.PluginNotFound, $"The plugin \"{id}\" is not installed.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout of {PluginId}@{Version} rolled back to {Previous} by the host: {Breaches}")]
    private static partial void LogAutoRollback(ILogger logger, string pluginId, string version, string previous, string breaches);
}
