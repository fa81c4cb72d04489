using System.Text.Json;
using System.Text.Json.Serialization;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;
using Labyrinth.Core.Storage;
using Labyrinth.Core.Themes;
using Labyrinth.Core.Versioning;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Plugins;

internal enum ImportStatus
{
    Installed,
    Unchanged,
    Replaced,
    Rejected,
}

/// <summary>One reason a package was refused, as the API reports it (<c>problems[]</c>).</summary>
internal sealed record ImportProblem(
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Entry,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Pointer,
    string Message);

/// <summary>
/// Who imports and how. <paramref name="DevBuildKeyId"/> is set only for the example plugins: a
/// version already installed and signed by that (local) key may be replaced in place.
/// </summary>
/// <param name="KeepActive">Install without making it the active version (a staged rollout starts next).</param>
internal sealed record ImportRequest(string Actor, bool AllowRollback, string? DevBuildKeyId = null, bool KeepActive = false)
{
    /// <summary>
    /// A development version from <c>labyrinth plugin dev</c>: signed or not, it installs as
    /// <see cref="PluginStore.StatusDev"/> and becomes active whatever its precedence. The caller
    /// checked the admin, the switch and the <c>x.y.z-dev.N</c> version.
    /// </summary>
    public bool Development { get; init; }
}

internal sealed record ImportOutcome(ImportStatus Status, int HttpStatus, string? PluginId, string? Version, IReadOnlyList<ImportProblem> Problems)
{
    public string Code => Problems.Count > 0 ? Problems[0].Code : "";
}

/// <summary>
/// The one install path for every package — uploads and the example plugins alike: read the zip
/// into a staging directory (hostile-input rules in <see cref="PackageReader"/>), validate the
/// manifest, verify the signature against the trust store and policy, enforce immutability,
/// downgrade and dependency rules, then move the directory into the immutable content store
/// (data/plugins/{id}/{version}) and commit rows + audit in one SaveChanges. A refusal leaves no
/// files and no plugin rows (only a <c>plugin.install_rejected</c> audit entry).
/// </summary>
internal sealed partial class PluginStore(
    LabyrinthDb db,
    HostPaths paths,
    PluginCatalog catalog,
    AuditLog audit,
    GovernanceGate gate,
    LabyrinthMetrics metrics,
    PluginEvents events,
    IBlobStore blobs,
    BlobGuard blobGuard,
    TimeProvider clock,
    ILogger<PluginStore> logger)
{
    public const string StatusTrusted = "trusted";
    public const string StatusUnsignedAllowlisted = "unsigned-allowlisted";

    /// <summary>A development version (<c>x.y.z-dev.N</c>): shown with a "dev" badge everywhere.</summary>
    public const string StatusDev = "dev";

    public static string VersionDir(HostPaths paths, string id, string version)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return DataLayout.PluginVersionPath(paths.DataDir, id, version);
    }

    public async Task<ImportOutcome> ImportAsync(Stream package, ImportRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(request);
        var staging = Path.Combine(paths.PluginStore, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var outcome = await ImportCoreAsync(package, staging, request, ct);
            if (outcome.Status == ImportStatus.Rejected)
            {
                metrics.PluginRejected(outcome.Problems.Select(p => p.Code));
                LogRejected(logger, outcome.PluginId ?? "?", outcome.Version ?? "?", string.Join("; ", outcome.Problems.Select(p => $"{p.Code} {p.Entry}{p.Pointer} {p.Message}")));
                await audit.AppendAsync(request.Actor, AuditActions.InstallRejected, outcome.PluginId, new
                {
                    version = outcome.Version,
                    codes = outcome.Problems.Select(p => p.Code).Distinct(StringComparer.Ordinal).ToArray(),
                    problemCount = outcome.Problems.Count,
                }, CancellationToken.None);
            }
            else
            {
                metrics.PluginImported(outcome.Status.ToString().ToLowerInvariant());
            }

            return outcome;
        }
        finally
        {
            DeleteQuietly(staging);
        }
    }

    private async Task<ImportOutcome> ImportCoreAsync(Stream package, string staging, ImportRequest request, CancellationToken ct)
    {
        // The same validation the CLI's pack and verify run: zip rules, manifest, themes.
        var validation = PackageValidator.Validate(package, staging);
        var problems = validation.Problems.Select(p => new ImportProblem(p.Code, p.Entry, p.Pointer, p.Message)).ToList();
        var manifest = validation.Manifest;
        if (validation.Files.Count == 0)
        {
            // The zip itself was refused: there is no manifest or signature worth judging.
            return Rejected(400, null, null, problems);
        }

        if (request.Development && manifest is not null && !Governance.DevInstallPolicy.IsDevVersion(manifest.Version))
        {
            return Rejected(400, manifest.Id, manifest.Version, [new(ErrorCodes.DevVersionRequired, PackageReader.ManifestPath, "/version",
                $"A development install takes only versions like 1.2.3-dev.4; this package is {manifest.Version}. 'labyrinth plugin dev' sets it for you.")]);
        }

        var trust = new TrustStore((await db.TrustedKeys.AsNoTracking().ToListAsync(ct)).Select(k => new TrustedKey(k.Name, Convert.FromBase64String(k.PublicKey))));
        var verdict = PackageSignature.Verify(validation.Files, validation.SignatureBytes, trust);
        string status = StatusTrusted;
        string? keyName = null, keyId = null;
        if (request.Development && verdict is SignatureVerdict.Unsigned or SignatureVerdict.UntrustedKey or SignatureVerdict.Trusted)
        {
            // Development builds are never signed by a release key; a bad signature still refuses.
            verdict = new SignatureVerdict.Unsigned();
            status = StatusDev;
        }

        switch (verdict)
        {
            case SignatureVerdict.Trusted t:
                keyName = t.KeyName;
                keyId = t.KeyId;
                break;
            case SignatureVerdict.Unsigned when request.Development:
                break;
            case SignatureVerdict.Unsigned:
                if (manifest is not null && await db.UnsignedAllowlist.AnyAsync(a => a.PluginId == manifest.Id, ct))
                {
                    status = StatusUnsignedAllowlisted;
                }
                else
                {
                    problems.Add(new(ErrorCodes.SignatureMissing, PackageReader.SignaturePath, null,
                        "The package is not signed. Policy Strict installs only packages signed by a trusted key, or unsigned plugins an admin has allowlisted."));
                }

                break;
            case SignatureVerdict.UntrustedKey u:
                problems.Add(new(ErrorCodes.SignatureUntrustedKey, PackageReader.SignaturePath, null,
                    $"The package is signed by key {u.KeyId}, which this server does not trust yet. An admin trusts the publisher's public key once, on Admin → Plugins → Trusted keys or with 'labyrinth keys trust <key file or public key>', then installs again."));
                break;
            case SignatureVerdict.Invalid i:
                problems.Add(new(ErrorCodes.SignatureInvalid, PackageReader.SignaturePath, null, i.Reason));
                break;
            case SignatureVerdict.Tampered t:
                problems.Add(new(ErrorCodes.SignatureTampered, PackageReader.SignaturePath, null,
                    $"The files do not match the signature by key {t.KeyId}: something was changed, added, removed or renamed after signing."));
                break;
        }

        if (manifest is null || problems.Count > 0)
        {
            return Rejected(400, manifest?.Id, manifest?.Version, problems);
        }

        var digest = Convert.ToHexStringLower(PackageDigest.Compute(validation.Files));
        var servable = validation.Servable.ToList();
        var proposed = new PreparedVersion(manifest.Id, manifest.Version, System.Text.Encoding.UTF8.GetString(validation.ManifestBytes),
            JsonSerializer.Serialize(servable.Select(f => new StoredFile(f.Path, f.Sha256Hex, f.Bytes)).ToList(), JsonSerializerOptions.Web),
            servable.Sum(f => f.Bytes), digest, status, keyName)
        {
            KeyId = keyId,
            Staging = Path.GetFileName(staging),
        };

        // In a cluster the shared blob store holds every file before any instance is asked to load
        // the version, and before the rows that name it commit; an instance's directory is its copy.
        // From the first file stored until the rows commit (or the change is abandoned, when the
        // collector may take them), no collector may find them unreferenced.
        await using var blobHold = blobs.IsShared ? await blobGuard.HoldForWriteAsync(ct) : null;
        if (blobs.IsShared)
        {
            foreach (var file in servable)
            {
                await blobs.PutAsync(file.Sha256Hex.ToLowerInvariant(), await File.ReadAllBytesAsync(Path.Combine(staging, file.Path), ct), ct);
            }
        }

        // The first phase, outside the gate (a slow instance must not hold up a kill on this one):
        // every live instance loads the version before any offers it. Nothing is committed when one
        // cannot; a re-upload of the installed bytes offers nothing new.
        if (!await db.PluginVersions.AsNoTracking().AnyAsync(v => v.PluginId == manifest.Id && v.Version == manifest.Version && v.Digest == digest, ct))
        {
            await events.PrepareOfferAsync([proposed], ct);
        }

        await gate.Gate.WaitAsync(ct);
        try
        {
            return await CommitAsync(manifest, proposed, servable.Count, staging, blobHold, request, ct);
        }
        finally
        {
            gate.Gate.Release();
        }
    }

    private async Task<ImportOutcome> CommitAsync(
        PluginManifest manifest, PreparedVersion proposed, int fileCount, string staging, IAsyncDisposable? blobHold, ImportRequest request, CancellationToken ct)
    {
        var (digest, status, keyName, keyId) = (proposed.Digest, proposed.SignatureStatus, proposed.KeyName, proposed.KeyId);
        var id = manifest.Id;
        var version = manifest.Version;
        var existing = await db.PluginVersions.SingleOrDefaultAsync(v => v.PluginId == id && v.Version == version, ct);
        var replacing = false;
        if (existing is not null)
        {
            if (existing.Digest == digest)
            {
                return new(ImportStatus.Unchanged, 200, id, version, []);
            }

            // Development only: an example plugin rebuilt from source keeps its version but not its bytes.
            replacing = request.DevBuildKeyId is not null && existing.KeyId == request.DevBuildKeyId && keyId == request.DevBuildKeyId;
            if (!replacing)
            {
                return Rejected(409, id, version, [new(ErrorCodes.VersionImmutable, null, "/version",
                    $"{id}@{version} is already installed with different content; versions are immutable, so publish a new version.")]);
            }
        }

        var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == id, ct);
        var candidate = VersionRules.TryParse(version)!;
        var active = plugin is null ? null : VersionRules.TryParse(plugin.ActiveVersion);
        var isRollback = active is not null && VersionRules.IsDowngrade(candidate, active);
        if (plugin is not null && plugin.ActiveVersion != version && !request.KeepActive &&
            await db.Rollouts.AnyAsync(r => r.PluginId == id && (r.Status == RolloutStatus.Running || r.Status == RolloutStatus.Paused), ct))
        {
            return Rejected(409, id, version, [new(ErrorCodes.RolloutInProgress, null, "/version",
                $"{id} has a rollout in progress; promote it or roll it back before installing another version for everyone.")]);
        }

        if (VersionRules.CheckActivation(id, candidate, active, request.AllowRollback || request.Development) is { } downgrade)
        {
            return Rejected(409, id, version, [new(ErrorCodes.VersionDowngrade, null, "/version", downgrade + " (upload with ?rollback=true).")]);
        }

        var enabled = plugin?.Enabled ?? true;
        if (enabled)
        {
            var dependencyProblems = Dependencies.NewProblems(catalog, id, new PluginNode(id, candidate, manifest.Dependencies));
            if (dependencyProblems.Count > 0)
            {
                return Rejected(400, id, version, dependencyProblems.Select(p => new ImportProblem(p.Code, null, "/dependencies", p.Message)));
            }
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var (filesJson, total, manifestJson) = (proposed.FilesJson, proposed.TotalBytes, proposed.ManifestJson);
        if (existing is null)
        {
            existing = new PluginVersionEntity { PluginId = id, Version = version, ManifestJson = manifestJson, FilesJson = filesJson };
            db.PluginVersions.Add(existing);
        }

        existing.ManifestJson = manifestJson;
        existing.FilesJson = filesJson;
        existing.TotalBytes = total;
        existing.InstalledAt = now;
        existing.Digest = digest;
        existing.SignatureStatus = status;
        existing.KeyName = keyName;
        existing.KeyId = keyId;

        // Read before the row changes below: the audit records what was active before this install.
        var previousActiveVersion = plugin?.ActiveVersion;
        if (plugin is null)
        {
            db.Plugins.Add(new PluginEntity { Id = id, ActiveVersion = version, Enabled = true, UpdatedAt = now });
        }
        else if (plugin.ActiveVersion != version && !request.KeepActive)
        {
            plugin.ActiveVersion = version;
            plugin.UpdatedAt = now;
        }

        var finalDir = VersionDir(paths, id, version);
        var (placement, retired) = await PlaceAsync(staging, finalDir, id, version, digest, replacing);
        if (placement is null)
        {
            return await ConcurrentOutcomeAsync(id, version, digest) ?? throw new IOException($"The plugin store's {id}@{version} directory keeps changing under this install.");
        }

        try
        {
            var action = replacing ? AuditActions.ReplaceDevBuild : isRollback ? AuditActions.Rollback : AuditActions.Install;
            await audit.AppendAsync(request.Actor, action, id, new
            {
                version,
                previousActiveVersion,
                digest,
                signature = status,
                keyName,
                keyId,
                fileCount = fileCount,
                totalBytes = total,
            }, ct);
        }
        catch (Exception ex)
        {
            // Another instance committed the same version between our check and our commit (one
            // instance serializes installs in its gate; instances share only the database, and
            // may share this disk). End as if this upload had come second on one instance.
            var outcome = ex is DbUpdateException ? await ConcurrentOutcomeAsync(id, version, digest) : null;
            if (outcome is { Status: ImportStatus.Unchanged })
            {
                // The winner's row names these very bytes, wherever they came from: they stay.
                if (retired is not null)
                {
                    DeleteQuietly(retired);
                }
            }
            else if (placement == Placement.Moved && (outcome is null || retired is not null))
            {
                // Ours, and no committed row names them: put back what was there. (Without a
                // retired directory a conflicting winner placed its own files: those stay.)
                DeleteQuietly(finalDir);
                if (retired is not null)
                {
                    Directory.Move(retired, finalDir);
                }
            }

            if (outcome is not null)
            {
                return outcome;
            }

            throw;
        }

        if (blobHold is not null)
        {
            await blobHold.DisposeAsync(); // the rows are committed: the files are referenced now
        }

        if (retired is not null)
        {
            DeleteQuietly(retired);
        }

        // Keeps what the first phase loaded; drops the bytes a development build replaced.
        catalog.Forget(id, version, keepDigest: digest);
        await catalog.ReloadAsync(ct);
        await events.ChangedAsync();
        var result = replacing ? ImportStatus.Replaced : ImportStatus.Installed;
        if (replacing)
        {
            LogDevBuildReplaced(logger, id, version);
        }

        LogInstalled(logger, id, version, result, total);
        return new(result, replacing ? 200 : 201, id, version, []);
    }

    /// <summary>
    /// Puts the staged files at <paramref name="finalDir"/>. Null placement: another instance
    /// sharing this disk committed the version first, and its files are there.
    /// </summary>
    private async Task<(Placement? Placement, string? Retired)> PlaceAsync(string staging, string finalDir, string id, string version, string digest, bool replacing)
    {
        // A development rebuild replaces the bytes in place (one instance, the local key).
        var retired = replacing ? VersionDirectory.Retire(paths.PluginStore, finalDir) : null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var placement = VersionDirectory.Place(staging, finalDir);
            if (placement != Placement.Taken)
            {
                return (placement, retired);
            }

            if (!replacing && await CommittedDigestAsync(id, version) is not null)
            {
                if (retired is not null)
                {
                    DeleteQuietly(retired);
                }

                return (null, null);
            }

            // No row names what is there: leftovers of a crash between move and commit, or an
            // install of other bytes on another instance that has not committed (the database
            // decides between us; the loser puts back what it moved aside).
            if (retired is null)
            {
                retired = VersionDirectory.Retire(paths.PluginStore, finalDir);
            }
            else
            {
                DeleteQuietly(finalDir);
            }
        }

        return (null, retired);
    }

    private Task<string?> CommittedDigestAsync(string id, string version) =>
        db.PluginVersions.AsNoTracking().Where(v => v.PluginId == id && v.Version == version).Select(v => v.Digest).SingleOrDefaultAsync(CancellationToken.None);

    /// <summary>What the check above would have answered had it seen the version another instance just committed; null when it did not commit one.</summary>
    private async Task<ImportOutcome?> ConcurrentOutcomeAsync(string id, string version, string digest)
    {
        db.ChangeTracker.Clear();
        var winner = await CommittedDigestAsync(id, version);
        if (winner is null)
        {
            return null;
        }

        LogConcurrentInstall(logger, id, version);
        return winner == digest
            ? new(ImportStatus.Unchanged, 200, id, version, [])
            : Rejected(409, id, version, [new(ErrorCodes.VersionImmutable, null, "/version",
                $"{id}@{version} was just installed with different content; versions are immutable, so publish a new version.")]);
    }

    private static ImportOutcome Rejected(int status, string? id, string? version, IEnumerable<ImportProblem> problems) =>
        new(ImportStatus.Rejected, status, id, version, problems.ToList());

    public static void DeleteQuietly(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {PluginId}@{Version}: {Status} ({Bytes} bytes)")]
    private static partial void LogInstalled(ILogger logger, string pluginId, string version, ImportStatus status, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {PluginId}@{Version} was installed by another instance at the same time; this upload changed nothing")]
    private static partial void LogConcurrentInstall(ILogger logger, string pluginId, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId}@{Version} refused: {Problems}")]
    private static partial void LogRejected(ILogger logger, string pluginId, string version, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Example plugin {PluginId}@{Version} was rebuilt with new bytes under the same version; replaced in place (development builds signed by the local key only). Bump the version for anything you ship.")]
    private static partial void LogDevBuildReplaced(ILogger logger, string pluginId, string version);
}

/// <summary>Dependency checks over the catalog: only problems a change introduces count against it.</summary>
internal static class Dependencies
{
    /// <summary>Enabled, not killed plugins' active versions, as the resolver sees them.</summary>
    public static List<PluginNode> Nodes(PluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.All
            .Where(p => p.IsUsable)
            .Select(p => new PluginNode(p.Id, VersionRules.TryParse(p.ActiveVersion)!, p.Active!.Manifest.Dependencies))
            .ToList();
    }

    /// <summary>
    /// The problems that appear when <paramref name="pluginId"/> is replaced by <paramref name="replacement"/>
    /// (null: removed/disabled) and that were not there before — so an unrelated broken plugin never blocks a change.
    /// </summary>
    public static List<DependencyProblem> NewProblems(PluginCatalog catalog, string pluginId, PluginNode? replacement)
    {
        var before = Nodes(catalog);
        var after = before.Where(n => n.Id != pluginId).ToList();
        if (replacement is not null)
        {
            after.Add(replacement);
        }

        var old = DependencyResolver.Resolve(before).Problems.Select(p => p.Code + "\n" + p.Message).ToHashSet(StringComparer.Ordinal);
        return DependencyResolver.Resolve(after).Problems.Where(p => !old.Contains(p.Code + "\n" + p.Message)).ToList();
    }
}
