using System.IO.Compression;
using System.Security.Cryptography;
using Labyrinth.Backup.Database;
using Labyrinth.Core.Audit;
using Labyrinth.Core.Storage;

namespace Labyrinth.Backup;

/// <summary>
/// How the process taking a backup keeps the files a snapshot references in place while they are
/// copied. The host, which owns the stores, holds its own locks (<see cref="EnterSnapshotAsync"/>)
/// and pins deletions (<see cref="PinBlobsAsync"/>); another process (the CLI beside a running
/// host) cannot, so there a file that changes makes the writer throw
/// <see cref="BackupSourceChangedException"/> and <see cref="BackupFiles"/> starts over.
/// </summary>
public interface IBackupGuard
{
    /// <summary>Held from just before the snapshot until the plugin files it references are staged; no plugin version may be replaced or removed meanwhile.</summary>
    Task<IAsyncDisposable> EnterSnapshotAsync(CancellationToken ct);

    /// <summary>Held from just before the snapshot until the backup ends; no content-addressed file may be deleted meanwhile.</summary>
    Task<IAsyncDisposable> PinBlobsAsync(CancellationToken ct);
}

/// <summary>What to back up: a data directory, its database, and who is writing the backup.</summary>
/// <param name="CreatedBy">Recorded in the manifest, e.g. <c>labyrinth-cli 1.0.0</c>.</param>
public sealed record BackupSource(string DataDirectory, IBackupDatabase Database, string CreatedBy)
{
    public IBackupGuard Guard { get; init; } = NoGuard.Instance;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public static BackupSource ForDataDirectory(string dataDirectory, string createdBy) =>
        new(dataDirectory, new SqliteBackupDatabase(DataLayout.DatabasePath(dataDirectory)), createdBy);

    private sealed class NoGuard : IBackupGuard, IAsyncDisposable
    {
        public static readonly NoGuard Instance = new();

        public Task<IAsyncDisposable> EnterSnapshotAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(this);

        public Task<IAsyncDisposable> PinBlobsAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(this);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed record BackupResult(BackupManifest Manifest, long ArchiveBytes);

/// <summary>A file the snapshot references disappeared or changed before it was copied; a new snapshot will reference what is there now.</summary>
public sealed class BackupSourceChangedException(string message) : Exception(message);

/// <summary>
/// Writes a backup archive (<see cref="BackupFormat"/>) to any stream, an HTTP response included:
/// entries are streamed, never held whole in memory. Order matters: the database snapshot first,
/// then the files it references (files added later are not needed; files it references must all
/// be there), then the key ring (read after the snapshot, so every key that encrypted a secret in
/// the snapshot is in it: Data Protection never deletes keys), then the manifest.
/// </summary>
public static class BackupWriter
{
    /// <summary>The private folder a backup stages its snapshot in, beside the output: <c>.labyrinth-backup-&lt;guid&gt;</c>.</summary>
    public const string StagingPrefix = ".labyrinth-backup-";

    public static async Task<BackupResult> WriteAsync(BackupSource source, Stream output, string stagingDirectory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stagingDirectory);

        // The snapshot and the staged plugin files hold everything but the keys: private, and gone afterwards.
        var staging = Path.Combine(stagingDirectory, StagingPrefix + Guid.NewGuid().ToString("N"));
        BackupIO.CreatePrivateDirectory(staging);
        try
        {
            await using var pinned = await source.Guard.PinBlobsAsync(ct);
            var createdAt = source.Clock.GetUtcNow();
            var databaseFile = Path.Combine(staging, "database");
            var stagedBlobs = Path.Combine(staging, "blobs");
            Directory.CreateDirectory(stagedBlobs);
            SnapshotContents contents;
            await using (await source.Guard.EnterSnapshotAsync(ct))
            {
                contents = await source.Database.SnapshotAsync(databaseFile, ct);
                await StagePluginFilesAsync(source.DataDirectory, contents, stagedBlobs, ct);
            }

            var keys = ReadKeys(source.DataDirectory);
            await using var counting = new ArchiveOutputStream(output);
            BackupManifest manifest;
            await using (var zip = await ZipArchive.CreateAsync(counting, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                var (dbBytes, dbSha) = await AddFileAsync(zip, source.Database.EntryName, databaseFile, CompressionLevel.Optimal, createdAt, ct);
                var keyParts = new List<FilePart>();
                foreach (var (entry, bytes) in keys)
                {
                    await AddBytesAsync(zip, entry, bytes, CompressionLevel.Optimal, createdAt, ct);
                    keyParts.Add(new FilePart(entry, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
                }

                var blobs = new List<BlobPart>();
                foreach (var (sha, use) in contents.Blobs.OrderBy(b => b.Key, StringComparer.Ordinal))
                {
                    var staged = Path.Combine(stagedBlobs, sha);
                    var path = File.Exists(staged) ? staged : DataLayout.AssetPath(source.DataDirectory, sha);
                    blobs.Add(new BlobPart(sha, await AddBlobAsync(zip, sha, use, path, createdAt, ct)));
                }

                var verdict = AuditChain.Verify(contents.Audit);
                var head = contents.Audit.Count > 0 ? contents.Audit[^1].Hash : AuditChain.GenesisHash;
                manifest = new BackupManifest(
                    BackupFormat.FormatName,
                    BackupFormat.FormatVersion,
                    createdAt,
                    source.CreatedBy,
                    new DatabasePart(source.Database.Provider, source.Database.EntryName, dbBytes, dbSha, contents.SchemaVersion, contents.Tables),
                    new AuditHead(contents.Audit.Count, BackupFormat.IsSha256(head) ? head : AuditChain.GenesisHash, verdict.IsValid ? null : verdict.Message),
                    new BackupCounts(
                        contents.PluginVersions.Count,
                        contents.PluginVersions.Sum(v => v.Files.Count),
                        contents.Assets.Count,
                        blobs.Count,
                        blobs.Sum(b => b.Bytes),
                        keyParts.Count),
                    keyParts,
                    blobs);
                await AddBytesAsync(zip, BackupFormat.ManifestEntry, manifest.ToJson(), CompressionLevel.Optimal, createdAt, ct);
            }

            await counting.FlushAsync(ct);
            return new BackupResult(manifest, counting.Written);
        }
        finally
        {
            BackupIO.DeleteDirectory(staging);
        }
    }

    /// <summary>
    /// Copies the plugin files the snapshot references out of the store while the guard is held.
    /// The plugin store is laid out by id and version, not by content, so an uninstall or a
    /// replaced development build would otherwise remove files the snapshot still lists.
    /// </summary>
    private static async Task StagePluginFilesAsync(string dataDirectory, SnapshotContents contents, string stagedBlobs, CancellationToken ct)
    {
        foreach (var version in contents.PluginVersions)
        {
            var root = DataLayout.PluginVersionPath(dataDirectory, version.PluginId, version.Version);
            foreach (var file in version.Files)
            {
                var staged = Path.Combine(stagedBlobs, file.Sha256);
                if (File.Exists(staged))
                {
                    continue;
                }

                var what = $"plugin file {version.PluginId}@{version.Version}/{file.Path}";
                var path = Path.Combine(root, file.Path.Replace('/', Path.DirectorySeparatorChar));
                try
                {
                    await using var input = BackupIO.OpenRead(path);
                    await using (var copy = BackupIO.CreatePrivateFile(staged + ".tmp"))
                    {
                        var (bytes, sha) = await BackupIO.CopyAsync(input, copy, file.Bytes, ct);
                        if (bytes != file.Bytes || sha != file.Sha256)
                        {
                            throw new BackupSourceChangedException($"The {what} changed after the database snapshot, or the plugin store is damaged (its SHA-256 no longer matches).");
                        }
                    }

                    File.Move(staged + ".tmp", staged);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    throw new BackupSourceChangedException($"The {what} was removed after the database snapshot, or the plugin store is damaged (it is missing).");
                }
            }
        }
    }

    /// <summary>Every file under keys/: the Data Protection key ring and the local publisher key.</summary>
    private static List<(string Entry, byte[] Bytes)> ReadKeys(string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, DataLayout.KeysDirectory);
        var keys = new List<(string, byte[])>();
        if (!Directory.Exists(root))
        {
            return keys;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var file in Directory.EnumerateFiles(root, "*", options).Order(StringComparer.Ordinal))
        {
            var entry = BackupFormat.KeysDirectory + Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (BackupFormat.CheckEntryName(entry) is { } problem)
            {
                throw new BackupException($"The key file \"{file}\" cannot go into a backup: {problem}");
            }

            var info = new FileInfo(file);
            if (info.Length > BackupLimits.Default.MaxKeyFileBytes)
            {
                throw new BackupException($"The key file \"{file}\" is {BackupIO.Size(info.Length)}; a key file is at most {BackupIO.Size(BackupLimits.Default.MaxKeyFileBytes)}.");
            }

            keys.Add((entry, File.ReadAllBytes(file)));
        }

        return keys;
    }

    private static async Task<(long Bytes, string Sha256)> AddFileAsync(ZipArchive zip, string name, string path, CompressionLevel level, DateTimeOffset at, CancellationToken ct)
    {
        await using var input = BackupIO.OpenRead(path);
        await using var entry = await OpenEntryAsync(zip, name, level, at, ct);
        return await BackupIO.CopyAsync(input, entry, long.MaxValue - 1, ct);
    }

    /// <summary>Copies one blob, checking on the way that its bytes still hash to its name.</summary>
    private static async Task<long> AddBlobAsync(ZipArchive zip, string sha256, BlobUse use, string path, DateTimeOffset at, CancellationToken ct)
    {
        FileStream input;
        try
        {
            input = BackupIO.OpenRead(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupSourceChangedException($"The {use.Description} (blob {sha256}) was deleted after the database snapshot, or the store is damaged (it is missing).");
        }

        await using (input)
        {
            await using var entry = await OpenEntryAsync(zip, BackupFormat.BlobEntry(sha256), CompressionLevel.Fastest, at, ct);
            var (bytes, sha) = await BackupIO.CopyAsync(input, entry, input.Length, ct);
            if (sha != sha256)
            {
                throw new BackupException($"The {use.Description} (blob {sha256}) no longer matches its SHA-256: the store is damaged. Restore that file from an earlier backup.");
            }

            return bytes;
        }
    }

    private static async Task AddBytesAsync(ZipArchive zip, string name, byte[] bytes, CompressionLevel level, DateTimeOffset at, CancellationToken ct)
    {
        await using var entry = await OpenEntryAsync(zip, name, level, at, ct);
        await entry.WriteAsync(bytes, ct);
    }

    private static async Task<Stream> OpenEntryAsync(ZipArchive zip, string name, CompressionLevel level, DateTimeOffset at, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = at;
        entry.ExternalAttributes = BackupIO.PrivateFileAttributes;
        return await entry.OpenAsync(ct);
    }
}
