using System.Globalization;
using Labyrinth.Backup.Database;
using Labyrinth.Core.Audit;

namespace Labyrinth.Backup;

/// <summary>The verdict on a backup: what it holds, and every problem found, each naming its part.</summary>
public sealed record BackupVerification(BackupManifest? Manifest, SnapshotContents? Contents, IReadOnlyList<BackupProblem> Problems, IReadOnlyList<string> Warnings)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Checks a backup archive end to end without trusting any of it: the structure
/// (<see cref="BackupArchive"/>), the SHA-256 of every part, that the database opens and is the
/// one the manifest describes (schema version, rows per table), that its audit chain verifies and
/// ends at the head the manifest recorded, that every file it references is in the archive, and
/// that its secrets come with a key ring to decrypt them.
/// </summary>
public static class BackupVerifier
{
    /// <summary>Verifies <paramref name="archivePath"/>, using a scratch folder for the database copy it must open.</summary>
    public static async Task<BackupVerification> VerifyAsync(string archivePath, BackupLimits? limits, CancellationToken ct)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "labyrinth-verify-" + Guid.NewGuid().ToString("N"));
        BackupIO.CreatePrivateDirectory(scratch);
        try
        {
            var problems = new List<BackupProblem>();
            using var archive = BackupArchive.Open(archivePath, limits ?? BackupLimits.Default, problems);
            return archive is null
                ? new BackupVerification(null, null, problems, [])
                : await VerifyAsync(archive, Path.Combine(scratch, "database"), ct);
        }
        finally
        {
            BackupIO.DeleteDirectory(scratch);
        }
    }

    /// <summary>Verifies an opened archive, leaving the database copy at <paramref name="databaseFile"/> (a restore keeps it).</summary>
    internal static async Task<BackupVerification> VerifyAsync(BackupArchive archive, string databaseFile, CancellationToken ct)
    {
        var manifest = archive.Manifest;
        var problems = new List<BackupProblem>();
        var warnings = new List<string>();
        SnapshotContents? contents = null;

        var provider = BackupDatabases.ForRestore(manifest.Database.Provider);
        var dbName = $"The database ({manifest.Database.Entry})";
        if (provider is null)
        {
            problems.Add(new("database", $"{dbName} was written by the \"{manifest.Database.Provider}\" provider, which this version of Labyrinth cannot open."));
        }
        else if (await ExtractAsync(archive, manifest.Database.Entry, manifest.Database.Bytes, manifest.Database.Sha256, databaseFile, dbName, "database", problems, ct))
        {
            try
            {
                contents = await provider.InspectAsync(databaseFile, ct);
            }
            catch (BackupException ex)
            {
                problems.Add(new("database", $"{dbName} is not sound: {ex.Message}"));
            }
        }

        if (contents is not null)
        {
            CheckDatabase(manifest, contents, dbName, problems);
            CheckAudit(manifest, contents, problems, warnings);
            CheckReferences(manifest, contents, problems);
        }

        foreach (var key in manifest.Keys)
        {
            await HashAsync(archive, key.Entry, key.Bytes, key.Sha256, $"Key file {key.Entry}", key.Entry, problems, ct);
        }

        foreach (var blob in manifest.Blobs)
        {
            var what = contents?.Blobs.TryGetValue(blob.Sha256, out var use) == true ? $"The {use.Description} (blob {blob.Sha256})" : $"Blob {blob.Sha256}";
            await HashAsync(archive, BackupFormat.BlobEntry(blob.Sha256), blob.Bytes, blob.Sha256, what, "blob " + blob.Sha256, problems, ct);
        }

        return new BackupVerification(manifest, contents, problems, warnings);
    }

    private static void CheckDatabase(BackupManifest manifest, SnapshotContents contents, string dbName, List<BackupProblem> problems)
    {
        const string notThisOne = "it is not the database this backup was taken with.";
        if (!string.Equals(contents.SchemaVersion, manifest.Database.SchemaVersion, StringComparison.Ordinal))
        {
            problems.Add(new("database", $"{dbName} has schema version {contents.SchemaVersion ?? "(none)"} but the manifest records {manifest.Database.SchemaVersion ?? "(none)"}: {notThisOne}"));
            return;
        }

        foreach (var table in contents.Tables.Keys.Union(manifest.Database.Tables.Keys).Order(StringComparer.Ordinal))
        {
            var actual = contents.Tables.GetValueOrDefault(table, -1);
            var recorded = manifest.Database.Tables.GetValueOrDefault(table, -1);
            if (actual != recorded)
            {
                problems.Add(new("database", actual < 0 ? $"{dbName} has no {table} table, but the manifest records one: {notThisOne}"
                    : recorded < 0 ? $"{dbName} has a {table} table the manifest does not record: {notThisOne}"
                    : Inv($"{dbName} has {actual} rows in {table} but the manifest records {recorded}: {notThisOne}")));
            }
        }
    }

    /// <summary>The chain must verify and end exactly at the recorded head: entries added or cut after the backup show.</summary>
    private static void CheckAudit(BackupManifest manifest, SnapshotContents contents, List<BackupProblem> problems, List<string> warnings)
    {
        var verdict = AuditChain.Verify(contents.Audit);
        if (!verdict.IsValid)
        {
            if (manifest.Audit.Problem is null)
            {
                problems.Add(new("audit", "The audit chain in the database is broken: " + verdict.Message));
                return;
            }

            warnings.Add("The audit chain was already broken when this backup was taken: " + verdict.Message);
        }

        var head = contents.Audit.Count > 0 ? contents.Audit[^1].Hash : AuditChain.GenesisHash;
        if (contents.Audit.Count != manifest.Audit.Entries || !string.Equals(head, manifest.Audit.Head, StringComparison.Ordinal))
        {
            problems.Add(new("audit", Inv($"The audit chain ends at entry {contents.Audit.Count} ({Short(head)}) but the manifest recorded entry {manifest.Audit.Entries} ({Short(manifest.Audit.Head)}): entries were added or removed after the backup was taken.")));
        }
    }

    private static void CheckReferences(BackupManifest manifest, SnapshotContents contents, List<BackupProblem> problems)
    {
        var listed = manifest.Blobs.Select(b => b.Sha256).ToHashSet(StringComparer.Ordinal);
        foreach (var (sha, use) in contents.Blobs.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (!listed.Contains(sha))
            {
                problems.Add(new("blob " + sha, $"The {use.Description} (blob {sha}) is referenced by the database but is not in the backup."));
            }
        }

        var secrets = contents.Rows(SnapshotReader.SecretsTable);
        if (secrets > 0 && !manifest.Keys.Any(k => k.Entry.StartsWith(BackupFormat.KeysDirectory + "dataprotection/", StringComparison.Ordinal)))
        {
            problems.Add(new("keys", Inv($"The database holds {secrets} secret(s) but the backup has no Data Protection key ring (keys/dataprotection/): they could not be decrypted after a restore.")));
        }
    }

    private static Task<bool> HashAsync(BackupArchive archive, string entry, long bytes, string sha256, string what, string part, List<BackupProblem> problems, CancellationToken ct) =>
        ExtractAsync(archive, entry, bytes, sha256, null, what, part, problems, ct);

    /// <summary>Reads one part (to <paramref name="destination"/> or nowhere) and compares it with the manifest; false with a problem when it differs.</summary>
    internal static async Task<bool> ExtractAsync(
        BackupArchive archive, string entryName, long bytes, string sha256, string? destination, string what, string part, List<BackupProblem> problems, CancellationToken ct)
    {
        var entry = archive.Entry(entryName);
        if (entry is null)
        {
            problems.Add(new(part, $"{what} is missing from the archive."));
            return false;
        }

        try
        {
            await using var input = await entry.OpenAsync(ct);
            await using var output = destination is null ? null : BackupIO.CreatePrivateFile(destination);
            var (read, actual) = await BackupIO.CopyAsync(input, output, bytes, ct);
            if (read != bytes || !string.Equals(actual, sha256, StringComparison.Ordinal))
            {
                problems.Add(new(part, part == "database"
                    ? $"{what} does not match the SHA-256 in the manifest: it is not the database this backup was taken with, or the archive is damaged."
                    : $"{what} does not match the SHA-256 in the manifest: the archive is damaged."));
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
        {
            problems.Add(new(part, $"{what} cannot be read from the archive (it is damaged): {ex.Message}"));
            return false;
        }
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
