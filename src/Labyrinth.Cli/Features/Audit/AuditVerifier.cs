using Labyrinth.Backup;
using Labyrinth.Backup.Database;
using Labyrinth.Core.Audit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Labyrinth.Cli.Features.Audit;

/// <summary>Where an audit log is read from: a file (SQLite database or export), or a PostgreSQL database.</summary>
internal sealed record AuditSource(string? Path, string? PostgresConnectionString)
{
    /// <summary>
    /// The provider is named as the host names it (<c>Labyrinth:Database:Provider</c>): a path wins
    /// for SQLite and exports; Postgres needs a connection string and no path.
    /// </summary>
    public static AuditSource Resolve(string? path, string? provider, string? connectionString)
    {
        var postgres = string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase);
        if (provider is { Length: > 0 } && !postgres && !string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ExitCodes.Usage, $"The database provider \"{provider}\" is neither Sqlite nor Postgres.");
        }

        if (path is not null)
        {
            return new AuditSource(path, null);
        }

        if (!postgres)
        {
            throw new CliException(ExitCodes.Usage, "Name the SQLite database or export to verify, or use --provider Postgres with --connection-string (or Labyrinth__Database__Provider and Labyrinth__Database__ConnectionString).");
        }

        if (connectionString is not { Length: > 0 })
        {
            throw new CliException(ExitCodes.Usage, "The provider is Postgres but no connection string was given: pass --connection-string or set Labyrinth__Database__ConnectionString.");
        }

        return new AuditSource(null, connectionString);
    }
}

/// <summary>Loads an audit log from a host database or a JSON-lines export and verifies its hash chain.</summary>
internal static class AuditVerifier
{
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    public static async Task<(IReadOnlyList<AuditEntry> Entries, string Source)> LoadAsync(AuditSource source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.PostgresConnectionString is { } connectionString)
        {
            return (await ReadPostgresAsync(connectionString, ct), "database");
        }

        var path = source.Path!;
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

    /// <summary>
    /// The same read on PostgreSQL, in one read-only repeatable-read transaction so appends made by
    /// running instances meanwhile cannot tear the walk. "Id" is the identity the host assigns under
    /// the chain's lock, so it is insertion order across every instance.
    /// </summary>
    private static async Task<List<AuditEntry>> ReadPostgresAsync(string connectionString, CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ExitCodes.Usage, $"The PostgreSQL connection string is not valid: {ex.Message}");
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
            {
                await readOnly.ExecuteNonQueryAsync(ct);
            }

            return await SnapshotReader.ReadAuditAsync(connection, "\"Id\"", ct);
        }
        catch (NpgsqlException ex)
        {
            // The message names the server and the failure, never the password (Npgsql leaves it out).
            throw new CliException(ExitCodes.Failed, $"Could not read the audit table from PostgreSQL database \"{builder.Database}\" on {builder.Host}: {ex.Message}");
        }
        catch (BackupException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }
    }
}
