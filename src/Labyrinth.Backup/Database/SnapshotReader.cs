using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Labyrinth.Core.Audit;
using Labyrinth.Core.Plugins;

namespace Labyrinth.Backup.Database;

/// <summary>
/// Reads <see cref="SnapshotContents"/> through plain ADO.NET with quoted identifiers, so every
/// provider shares it. It names only the tables whose rows point at files or carry the audit
/// chain; everything else in the database is copied whole without being named here. Columns are
/// matched by name without regard to case, and every value is checked: a snapshot read back from
/// an archive is input like any other.
/// </summary>
public static class SnapshotReader
{
    public const string AssetsTable = "Assets";
    public const string PluginVersionsTable = "PluginVersions";
    public const string AuditTable = "AuditEntries";
    public const string SecretsTable = "Secrets";
    public const string MigrationsTable = "__EFMigrationsHistory";

    /// <param name="tables">Every table of the database (the provider lists them).</param>
    /// <param name="auditOrder">The expression giving insertion order (SQLite: <c>rowid</c>).</param>
    public static async Task<SnapshotContents> ReadAsync(DbConnection connection, IReadOnlyList<string> tables, string auditOrder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(tables);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            counts[table] = Convert.ToInt64(await ScalarAsync(connection, $"SELECT COUNT(*) FROM {Quote(table)}", ct), CultureInfo.InvariantCulture);
        }

        var has = tables.ToHashSet(StringComparer.Ordinal);
        string? schema = null;
        if (has.Contains(MigrationsTable))
        {
            schema = await ScalarAsync(connection, $"SELECT MAX({Quote("MigrationId")}) FROM {Quote(MigrationsTable)}", ct) as string;
        }

        var audit = has.Contains(AuditTable) ? await ReadAuditAsync(connection, auditOrder, ct) : [];
        var assets = has.Contains(AssetsTable) ? await ReadAssetsAsync(connection, ct) : [];
        var versions = has.Contains(PluginVersionsTable) ? await ReadPluginVersionsAsync(connection, ct) : [];
        return new SnapshotContents(schema, counts, audit, assets, versions);
    }

    /// <summary>The audit log in insertion order, as <see cref="AuditChain.Verify"/> must walk it.</summary>
    public static async Task<List<AuditEntry>> ReadAuditAsync(DbConnection connection, string order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var entries = new List<AuditEntry>();
        await ReadRowsAsync(connection, AuditTable, order, ["Sequence", "AtUtc", "Actor", "Action", "PluginId", "DetailJson", "PrevHash", "Hash"], row =>
            entries.Add(new AuditEntry(
                row.Int64("Sequence"),
                ReadTime(row.Value("AtUtc")),
                row.Text("Actor"),
                row.Text("Action"),
                row.TextOrNull("PluginId"),
                row.Text("DetailJson"),
                row.Text("PrevHash"),
                row.Text("Hash"))), ct);
        return entries;
    }

    private static async Task<List<AssetReference>> ReadAssetsAsync(DbConnection connection, CancellationToken ct)
    {
        var assets = new List<AssetReference>();
        await ReadRowsAsync(connection, AssetsTable, null, ["Sha256", "Bytes", "Name"], row =>
        {
            var sha = row.Text("Sha256");
            var bytes = row.Int64("Bytes");
            if (!BackupFormat.IsSha256(sha) || bytes < 0)
            {
                throw new BackupException($"An asset row has an invalid SHA-256 \"{Clip(sha)}\" or size.");
            }

            assets.Add(new AssetReference(sha, bytes, row.Text("Name")));
        }, ct);
        return assets;
    }

    private static async Task<List<PluginVersionReference>> ReadPluginVersionsAsync(DbConnection connection, CancellationToken ct)
    {
        var versions = new List<PluginVersionReference>();
        await ReadRowsAsync(connection, PluginVersionsTable, null, ["PluginId", "Version", "FilesJson"], row =>
        {
            var id = row.Text("PluginId");
            var version = row.Text("Version");
            var name = $"{Clip(id)}@{Clip(version)}";
            if (!IsSegment(id) || !IsSegment(version))
            {
                throw new BackupException($"Plugin version {name}: its id or version cannot name a directory in the plugin store.");
            }

            List<PluginFileReference>? files;
            try
            {
                files = JsonSerializer.Deserialize<List<PluginFileReference>>(row.Text("FilesJson"), JsonSerializerOptions.Web);
            }
            catch (JsonException ex)
            {
                throw new BackupException($"Plugin version {name}: its file list is not valid JSON ({ex.Message}).", ex);
            }

            var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in files ?? [])
            {
                if (file?.Path is null || PluginPath.Check(file.Path) is { } problem || !paths.Add(file.Path))
                {
                    throw new BackupException($"Plugin version {name}: the file \"{Clip(file?.Path ?? "")}\" has a path the plugin store cannot hold.");
                }

                if (file.Sha256 is null || !BackupFormat.IsSha256(file.Sha256) || file.Bytes < 0)
                {
                    throw new BackupException($"Plugin version {name}: the file \"{Clip(file.Path)}\" has an invalid SHA-256 or size.");
                }
            }

            versions.Add(new PluginVersionReference(id, version, files ?? []));
        }, ct);
        return versions;
    }

    /// <summary>A plugin id or version becomes one directory name: one valid path segment, never "." or "..".</summary>
    private static bool IsSegment(string value) => !value.Contains('/', StringComparison.Ordinal) && PluginPath.Check(value) is null;

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    private static async Task ReadRowsAsync(DbConnection connection, string table, string? order, string[] required, Action<Row> read, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {Quote(table)}" + (order is null ? "" : " ORDER BY " + order);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i, StringComparer.OrdinalIgnoreCase);
        foreach (var name in required)
        {
            if (!columns.ContainsKey(name))
            {
                throw new BackupException($"The {table} table has no {name} column.");
            }
        }

        var row = new Row(table, reader, columns);
        while (await reader.ReadAsync(ct))
        {
            read(row);
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Clip(string value) => value.Length > 80 ? value[..80] + "…" : value;

    /// <summary>EF Core stores DateTime as text ("yyyy-MM-dd HH:mm:ss.FFFFFFF"); a ticks column is accepted too. Times are UTC by contract.</summary>
    private static DateTime ReadTime(object? value) => value switch
    {
        string text when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) => at,
        long ticks when ticks is >= 0 and <= 3155378975999999999 => new DateTime(ticks, DateTimeKind.Utc),
        DateTime at => DateTime.SpecifyKind(at, DateTimeKind.Utc),
        _ => throw new BackupException($"An AuditEntries row has an AtUtc value \"{value}\" that is not a time."),
    };

    /// <summary>One row's values by column name, each checked for the type it must have.</summary>
    private sealed class Row(string table, DbDataReader reader, Dictionary<string, int> columns)
    {
        public object? Value(string column) => reader.IsDBNull(columns[column]) ? null : reader.GetValue(columns[column]);

        public string Text(string column) => Value(column) as string ?? throw Wrong(column, "text");

        public string? TextOrNull(string column) => Value(column) switch
        {
            null => null,
            string text => text,
            _ => throw Wrong(column, "text"),
        };

        public long Int64(string column) => Value(column) switch
        {
            long n => n,
            int n => n,
            _ => throw Wrong(column, "an integer"),
        };

        private BackupException Wrong(string column, string type) => new($"A {table} row has a {column} value that is not {type}.");
    }
}
