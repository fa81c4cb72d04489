namespace Labyrinth.Backup.Database;

/// <summary>
/// The database part of a backup, one implementation per provider. The rest of the backup (blobs,
/// keys, manifest, archive rules) does not know which database it is. SQLite is the only one
/// today; docs/operations.md says how a PostgreSQL deployment will be backed up (pg_dump of an
/// exported snapshot, read for references in the same transaction).
/// </summary>
public interface IBackupDatabase
{
    /// <summary>The provider name recorded in the manifest, e.g. <c>sqlite</c>.</summary>
    string Provider { get; }

    /// <summary>The archive entry of the snapshot, e.g. <c>database/labyrinth.db</c>.</summary>
    string EntryName { get; }

    /// <summary>
    /// Writes a consistent snapshot of the whole database (every table, whoever added it) to
    /// <paramref name="destinationFile"/> while the host keeps writing, and reads what it references
    /// from that same snapshot.
    /// </summary>
    Task<SnapshotContents> SnapshotAsync(string destinationFile, CancellationToken ct);

    /// <summary>Opens a snapshot file taken from an archive and reads it; throws <see cref="BackupException"/> with a sentence when it is not a sound database.</summary>
    Task<SnapshotContents> InspectAsync(string snapshotFile, CancellationToken ct);

    /// <summary>Where a restored snapshot goes, relative to the data directory.</summary>
    string RestoredPath { get; }
}

/// <summary>The providers this version can restore, by the name a manifest records.</summary>
public static class BackupDatabases
{
    public static IBackupDatabase? ForRestore(string provider) => provider switch
    {
        SqliteBackupDatabase.ProviderName => new SqliteBackupDatabase(null),
        _ => null,
    };
}
