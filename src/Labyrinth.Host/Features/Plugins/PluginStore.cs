using System.Security.Cryptography;
using System.Text.Json;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Plugins;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Semver;

namespace Labyrinth.Host.Features.Plugins;

internal enum InstallStatus
{
    Installed,
    Unchanged,
    Replaced,
    Rejected,
}

internal sealed record InstallOutcome(InstallStatus Status, string? PluginId, string? Version, IReadOnlyList<Labyrinth.Core.Errors.PointerProblem> Problems);

/// <summary>
/// The immutable content store (data/plugins/{id}/{version}/…) and its database rows. Files are
/// staged in a temp directory and moved into place in one rename, so a failed install leaves
/// nothing behind.
/// </summary>
internal sealed partial class PluginStore(LabyrinthDb db, HostPaths paths, PluginCatalog catalog, TimeProvider clock, ILogger<PluginStore> logger)
{
    private static readonly string[] BuildArtifacts = [".br", ".gz"];

    public static string VersionDir(HostPaths paths, string id, string version)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.PluginStore, id, version);
    }

    /// <summary>
    /// Installs a built plugin directory. <paramref name="replaceSameVersion"/> is only for the
    /// example plugins rebuilt from source in development; packages never replace a version.
    /// </summary>
    public async Task<InstallOutcome> InstallDirectoryAsync(string sourceDir, bool replaceSameVersion, CancellationToken ct)
    {
        var problems = new List<Labyrinth.Core.Errors.PointerProblem>();
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var full in Directory.EnumerateFiles(sourceDir, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(sourceDir, full).Replace(Path.DirectorySeparatorChar, '/');
            if (rel == "build-manifest.json" || BuildArtifacts.Any(ext => rel.EndsWith(ext, StringComparison.Ordinal)))
            {
                continue;
            }

            if (new FileInfo(full).LinkTarget is not null)
            {
                problems.Add(new("", $"\"{rel}\" is a symbolic link; plugins may only contain regular files."));
                continue;
            }

            var pathError = PluginPath.Check(rel);
            if (pathError is not null)
            {
                problems.Add(new("", $"\"{rel}\": {pathError}"));
            }
            else if (!ContentTypes.IsAllowed(rel))
            {
                problems.Add(new("", $"\"{rel}\" has a file type plugins may not ship."));
            }
            else
            {
                files[rel] = full;
            }
        }

        if (!files.TryGetValue("manifest.json", out var manifestPath))
        {
            problems.Add(new("", "The plugin has no manifest.json."));
            return new(InstallStatus.Rejected, null, null, problems);
        }

        var manifestBytes = await File.ReadAllBytesAsync(manifestPath, ct);
        var validation = ManifestValidator.Validate(manifestBytes, files.Keys.ToHashSet(StringComparer.Ordinal));
        problems.AddRange(validation.Problems);
        if (validation.Manifest is not { } manifest || problems.Count > 0)
        {
            return new(InstallStatus.Rejected, validation.Manifest?.Id, validation.Manifest?.Version, problems);
        }

        var stored = new List<StoredFile>(files.Count);
        long total = 0;
        foreach (var (rel, full) in files)
        {
            var bytes = await File.ReadAllBytesAsync(full, ct);
            stored.Add(new StoredFile(rel, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength));
            total += bytes.LongLength;
        }

        var filesJson = JsonSerializer.Serialize(stored, JsonSerializerOptions.Web);
        var existing = await db.PluginVersions.SingleOrDefaultAsync(v => v.PluginId == manifest.Id && v.Version == manifest.Version, ct);
        if (existing is not null && existing.FilesJson == filesJson)
        {
            return new(InstallStatus.Unchanged, manifest.Id, manifest.Version, []);
        }

        if (existing is not null && !replaceSameVersion)
        {
            problems.Add(new("/version", $"{manifest.Id}@{manifest.Version} is already installed with different content; versions are immutable, so publish a new version."));
            return new(InstallStatus.Rejected, manifest.Id, manifest.Version, problems);
        }

        var finalDir = VersionDir(paths, manifest.Id, manifest.Version);
        var stagingDir = Path.Combine(paths.PluginStore, ".staging-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var (rel, full) in files)
            {
                var target = Path.Combine(stagingDir, rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(full, target);
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            if (existing is null)
            {
                db.PluginVersions.Add(new PluginVersionEntity
                {
                    PluginId = manifest.Id,
                    Version = manifest.Version,
                    ManifestJson = System.Text.Encoding.UTF8.GetString(manifestBytes),
                    FilesJson = filesJson,
                    TotalBytes = total,
                    InstalledAt = now,
                });
            }
            else
            {
                existing.ManifestJson = System.Text.Encoding.UTF8.GetString(manifestBytes);
                existing.FilesJson = filesJson;
                existing.TotalBytes = total;
                existing.InstalledAt = now;
            }

            var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == manifest.Id, ct);
            if (plugin is null)
            {
                db.Plugins.Add(new PluginEntity { Id = manifest.Id, ActiveVersion = manifest.Version, Enabled = true, UpdatedAt = now });
            }
            else if (SemVersion.Parse(manifest.Version, SemVersionStyles.Strict).ComparePrecedenceTo(SemVersion.Parse(plugin.ActiveVersion, SemVersionStyles.Strict)) > 0)
            {
                plugin.ActiveVersion = manifest.Version;
                plugin.UpdatedAt = now;
            }

            await db.SaveChangesAsync(ct);

            Directory.CreateDirectory(Path.GetDirectoryName(finalDir)!);
            string? retired = null;
            if (Directory.Exists(finalDir))
            {
                retired = finalDir + ".retired-" + Guid.NewGuid().ToString("N");
                Directory.Move(finalDir, retired);
            }

            Directory.Move(stagingDir, finalDir);
            await tx.CommitAsync(ct);
            if (retired is not null)
            {
                Directory.Delete(retired, recursive: true);
            }
        }
        finally
        {
            if (Directory.Exists(stagingDir))
            {
                Directory.Delete(stagingDir, recursive: true);
            }
        }

        catalog.Forget(manifest.Id, manifest.Version);
        await catalog.ReloadAsync(ct);
        var status = existing is null ? InstallStatus.Installed : InstallStatus.Replaced;
        LogInstalled(logger, manifest.Id, manifest.Version, status, total);
        return new(status, manifest.Id, manifest.Version, []);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {PluginId}@{Version}: {Status} ({Bytes} bytes)")]
    private static partial void LogInstalled(ILogger logger, string pluginId, string version, InstallStatus status, long bytes);
}
