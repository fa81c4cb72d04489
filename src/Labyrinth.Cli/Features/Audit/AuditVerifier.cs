using System.Globalization;
using Labyrinth.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Cli.Features.Audit;

/// <summary>Loads an audit log from a host database or a JSON-lines export and verifies its hash chain.</summary>
internal static class AuditVerifier
{
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    public static AuditVerification Verify(string path, out string source)
    {
        var entries = Load(path, out source);
        return AuditChain.Verify(entries);
    }

    public static IReadOnlyList<AuditEntry> Load(string path, out string source)
    {
        CliApp.RequireFile(path, "The audit file");
        if (IsSqlite(path))
        {
            source = "database";
            return ReadDatabase(path);
        }

        source = "export";
        using var stream = File.OpenRead(path);
        var read = AuditJsonLines.Read(stream);
        if (!read.IsValid)
        {
            throw new CliException(ExitCodes.Failed, "The file is neither a Labyrinth database nor an audit export:" +
                string.Concat(read.Problems.Take(10).Select(p => Environment.NewLine + "  - " + p)));
        }

        return read.Entries;
    }

    private static bool IsSqlite(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(SqliteMagic);
    }

    /// <summary>
    /// Reads <c>AuditEntries</c> read-only, matching columns by name without regard to case, so it
    /// does not depend on how the host's model names them beyond the <see cref="AuditEntry"/> fields.
    /// </summary>
    private static List<AuditEntry> ReadDatabase(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // rowid is insertion order (the host's Id aliases it): walking rows as written is what makes
            // a row whose Sequence was swapped show up as reordered rather than slip back into place.
            command.CommandText = "SELECT * FROM AuditEntries ORDER BY rowid";
            using var reader = command.ExecuteReader();
            var columns = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i, StringComparer.OrdinalIgnoreCase);
            int Column(string name) => columns.TryGetValue(name, out var i)
                ? i
                : throw new CliException(ExitCodes.Failed, $"The AuditEntries table has no {name} column.");
            var sequence = Column("Sequence");
            var at = Column("AtUtc");
            var actor = Column("Actor");
            var action = Column("Action");
            var pluginId = Column("PluginId");
            var detail = Column("DetailJson");
            var prevHash = Column("PrevHash");
            var hash = Column("Hash");
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    reader.GetInt64(sequence),
                    ReadTime(reader.GetValue(at)),
                    reader.GetString(actor),
                    reader.GetString(action),
                    reader.IsDBNull(pluginId) ? null : reader.GetString(pluginId),
                    reader.GetString(detail),
                    reader.GetString(prevHash),
                    reader.GetString(hash)));
            }

            return entries;
        }
        catch (SqliteException ex)
        {
            throw new CliException(ExitCodes.Failed, $"Could not read the audit table from \"{path}\": {ex.Message}");
        }
    }

    /// <summary>EF Core stores DateTime as text ("yyyy-MM-dd HH:mm:ss.FFFFFFF"); a ticks column is accepted too. Times are UTC by contract.</summary>
    private static DateTime ReadTime(object value) => value switch
    {
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        long ticks => new DateTime(ticks, DateTimeKind.Utc),
        _ => throw new CliException(ExitCodes.Failed, $"The AtUtc column holds a {value.GetType().Name}, not a time."),
    };
}
