using Labyrinth.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Backup.Database;

/// <summary>
/// SQLite: the snapshot is made with SQLite's online backup API from a read-only connection. In
/// WAL mode that is one read transaction: the host keeps committing meanwhile, and the copy holds
/// exactly the transactions committed when it began, WAL content included. Copying the files
/// (<c>labyrinth.db</c>, <c>-wal</c>, <c>-shm</c>) one by one instead can give a database that does not
/// open or silently lacks the last commits.
/// </summary>
public sealed class SqliteBackupDatabase(string? liveDatabaseFile) : IBackupDatabase
{
    public const string ProviderName = "sqlite";

    /// <summary>A snapshot is retried this often when SQLite reports the database busy (a WAL recovery, an exclusive lock).</summary>
    private const int BusyAttempts = 10;

    public string Provider => ProviderName;

    public string EntryName => BackupFormat.DatabaseDirectory + DataLayout.DatabaseFile;

    public string RestoredPath => DataLayout.DatabaseFile;

    public async Task<SnapshotContents> SnapshotAsync(string destinationFile, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destinationFile);
        var live = liveDatabaseFile ?? throw new InvalidOperationException("This instance only inspects snapshots.");
        if (!File.Exists(live))
        {
            throw new BackupException($"There is no database at \"{live}\".");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var source = new SqliteConnection(ConnectionString(live, SqliteOpenMode.ReadOnly));
                await using var destination = new SqliteConnection(ConnectionString(destinationFile, SqliteOpenMode.ReadWriteCreate));
                await source.OpenAsync(ct);
                await destination.OpenAsync(ct);
                source.BackupDatabase(destination);

                // One self-contained file: the copy carries the source's WAL flag, and a restored
                // database must not need a -wal file that is not in the archive.
                await ExecuteAsync(destination, "PRAGMA journal_mode=DELETE;", ct);
                return await ReadAsync(destination, ct);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6 && attempt < BusyAttempts)
            {
                // SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock the backup needs; it is released within moments.
                File.Delete(destinationFile);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct);
            }
            catch (SqliteException ex)
            {
                throw new BackupException($"Could not take a snapshot of the database \"{live}\": {ex.Message}", ex);
            }
        }
    }

    public async Task<SnapshotContents> InspectAsync(string snapshotFile, CancellationToken ct)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString(snapshotFile, SqliteOpenMode.ReadOnly));
            await connection.OpenAsync(ct);

            // Views and triggers in a file from an archive must not run functions with side effects.
            await ExecuteAsync(connection, "PRAGMA trusted_schema=OFF;", ct);
            await using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check;";
                var verdict = await check.ExecuteScalarAsync(ct) as string;
                if (verdict != "ok")
                {
                    throw new BackupException($"The database fails SQLite's integrity check: {verdict}");
                }
            }

            return await ReadAsync(connection, ct);
        }
        catch (SqliteException ex)
        {
            throw new BackupException("The database does not open as SQLite: " + ex.Message, ex);
        }
    }

    private static async Task<SnapshotContents> ReadAsync(SqliteConnection connection, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name;";
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        // rowid is insertion order (AuditEntries.Id aliases it): a row whose Sequence was swapped shows as reordered.
        return await SnapshotReader.ReadAsync(connection, tables, "rowid", ct);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string ConnectionString(string file, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString();
}
