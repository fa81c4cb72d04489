using System.Globalization;
using Labyrinth.Backup.Database;
using Labyrinth.Core.Storage;

namespace Labyrinth.Backup;

/// <summary>The outcome of a restore: what was restored, or the problems that stopped it (nothing is left behind then).</summary>
public sealed record BackupRestoreResult(BackupManifest? Manifest, IReadOnlyList<BackupProblem> Problems, IReadOnlyList<string> Warnings)
{
    public bool IsRestored => Problems.Count == 0;
}

/// <summary>
/// Restores a backup into an empty data directory: refuses a directory that holds anything
/// (writing nothing at all), verifies the whole archive first (<see cref="BackupVerifier"/>),
/// checks there is room, then lays out the database, the key ring, the File Registry and the
/// plugin store exactly where the host looks (<see cref="DataLayout"/>). Every file is checked
/// against its hash again as it is written. On any failure the directory is emptied again.
/// </summary>
public static class BackupRestorer
{
    public static async Task<BackupRestoreResult> RestoreAsync(string archivePath, string targetDirectory, BackupLimits? limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        ArgumentNullException.ThrowIfNull(targetDirectory);
        var target = Path.GetFullPath(targetDirectory);
        if (File.Exists(target))
        {
            return Refused("target", $"\"{targetDirectory}\" is a file; restore into an empty or new directory.");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            return Refused("target", $"\"{targetDirectory}\" is not empty; restore only into an empty or new directory, so nothing is overwritten.");
        }

        var problems = new List<BackupProblem>();
        using var archive = BackupArchive.Open(archivePath, limits ?? BackupLimits.Default, problems);
        if (archive is null)
        {
            return new BackupRestoreResult(null, problems, []);
        }

        if (FreeBytes(target) is { } free && free < archive.Manifest.TotalBytes)
        {
            return Refused("target", Inv($"The backup needs {BackupIO.Size(archive.Manifest.TotalBytes)} but the disk holding \"{targetDirectory}\" has {BackupIO.Size(free)} free."));
        }

        var created = !Directory.Exists(target);
        BackupIO.CreatePrivateDirectory(target);
        var completed = false;
        try
        {
            var provider = BackupDatabases.ForRestore(archive.Manifest.Database.Provider);
            var databaseFile = Path.Combine(target, provider?.RestoredPath ?? DataLayout.DatabaseFile);
            var verification = await BackupVerifier.VerifyAsync(archive, databaseFile, ct);
            if (!verification.IsValid)
            {
                return new BackupRestoreResult(archive.Manifest, verification.Problems, verification.Warnings);
            }

            await LayOutAsync(archive, verification.Contents!, target, problems, ct);
            if (problems.Count > 0)
            {
                return new BackupRestoreResult(archive.Manifest, problems, verification.Warnings);
            }

            completed = true;
            return new BackupRestoreResult(archive.Manifest, [], verification.Warnings);
        }
        catch (BackupException ex)
        {
            return new BackupRestoreResult(archive.Manifest, [new BackupProblem("target", ex.Message)], []);
        }
        finally
        {
            if (!completed)
            {
                Empty(target, created);
            }
        }
    }

    /// <summary>Writes the keys, assets and plugin files; the database is already in place from verification.</summary>
    private static async Task LayOutAsync(BackupArchive archive, SnapshotContents contents, string target, List<BackupProblem> problems, CancellationToken ct)
    {
        foreach (var key in archive.Manifest.Keys)
        {
            var path = Inside(target, key.Entry);
            CreateParents(target, path, privately: true);
            await BackupVerifier.ExtractAsync(archive, key.Entry, key.Bytes, key.Sha256, path, $"Key file {key.Entry}", key.Entry, problems, ct);
        }

        var sizes = archive.Manifest.Blobs.ToDictionary(b => b.Sha256, b => b.Bytes, StringComparer.Ordinal);
        foreach (var sha in contents.Assets.Select(a => a.Sha256).Distinct(StringComparer.Ordinal))
        {
            var path = DataLayout.AssetPath(target, sha);
            CreateParents(target, path, privately: false);
            await ExtractBlobAsync(archive, contents, sha, sizes[sha], path, problems, ct);
        }

        foreach (var version in contents.PluginVersions)
        {
            foreach (var file in version.Files)
            {
                var path = Inside(target, $"{DataLayout.PluginsDirectory}/{version.PluginId}/{version.Version}/{file.Path}");
                CreateParents(target, path, privately: false);
                await ExtractBlobAsync(archive, contents, file.Sha256, sizes[file.Sha256], path, problems, ct);
            }
        }
    }

    private static Task<bool> ExtractBlobAsync(BackupArchive archive, SnapshotContents contents, string sha, long bytes, string path, List<BackupProblem> problems, CancellationToken ct) =>
        BackupVerifier.ExtractAsync(archive, BackupFormat.BlobEntry(sha), bytes, sha, path, $"The {contents.Blobs[sha].Description} (blob {sha})", "blob " + sha, problems, ct);

    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="root"/>. The names were
    /// checked already (archive names, plugin paths read from the database); this is the last line:
    /// nothing is ever written outside the target.
    /// </summary>
    private static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new BackupException($"\"{relative}\" would be written outside the target directory.");
        }

        return full;
    }

    private static void CreateParents(string root, string path, bool privately)
    {
        var parent = Path.GetDirectoryName(path)!;
        if (privately)
        {
            BackupIO.CreatePrivateDirectory(parent);
        }
        else
        {
            Directory.CreateDirectory(parent);
        }

        // A directory created by an earlier part could only be a symlink if something outside wrote one.
        for (var dir = new DirectoryInfo(parent); dir.FullName.Length > root.Length; dir = dir.Parent!)
        {
            if (dir.LinkTarget is not null)
            {
                throw new BackupException($"\"{dir.FullName}\" is a symbolic link; a restore never writes through one.");
            }
        }
    }

    private static long? FreeBytes(string target)
    {
        var existing = target;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        try
        {
            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Puts the target back as it was: gone if the restore created it, else empty.</summary>
    private static void Empty(string target, bool created)
    {
        if (created)
        {
            BackupIO.DeleteDirectory(target);
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(target))
        {
            if (Directory.Exists(entry))
            {
                BackupIO.DeleteDirectory(entry);
            }
            else
            {
                BackupIO.DeleteFile(entry);
            }
        }
    }

    private static BackupRestoreResult Refused(string part, string message) => new(null, [new BackupProblem(part, message)], []);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
