using Labyrinth.Backup;
using Labyrinth.Backup.Database;
using Labyrinth.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Cli.Features.Audit;

/// <summary>Loads an audit log from a host database or a JSON-lines export and verifies its hash chain.</summary>
internal static class AuditVerifier
{
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    public static async Task<(IReadOnlyList<AuditEntry> Entries, string Source)> LoadAsync(string path, CancellationToken ct)
    {
        CliApp.RequireFile(path, "The audit file");
        if (IsSqlite(path))
        {
            return (await ReadDatabaseAsync(path, ct), "database");
        }

        return (ReadExport(path), "export");
    }

    private static List<AuditEntry> ReadExport(string path)
    {
        using var stream = File.OpenRead(path);
        var read = AuditJsonLines.Read(stream);
        if (!read.IsValid)
        {
            throw new CliException(ExitCodes.Failed, "The file is neither a Labyrinth database nor an audit export:" +
                string.Concat(read.Problems.Take(10).Select(p => Environment.NewLine + "  - " + p)));
        }

        return [.. read.Entries];
    }

    private static bool IsSqlite(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(SqliteMagic);
    }

    /// <summary>
    /// Reads <c>AuditEntries</c> read-only with the reader backups use (columns matched by name
    /// without regard to case, rows in insertion order), so the two never disagree about a log.
    /// </summary>
    private static async Task<List<AuditEntry>> ReadDatabaseAsync(string path, CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(ct);

            // rowid is insertion order (the host's Id aliases it): walking rows as written is what makes
            // a row whose Sequence was swapped show up as reordered rather than slip back into place.
            return await SnapshotReader.ReadAuditAsync(connection, "rowid", ct);
        }
        catch (SqliteException ex)
        {
            throw new CliException(ExitCodes.Failed, $"Could not read the audit table from \"{path}\": {ex.Message}");
        }
        catch (BackupException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }
    }
}
