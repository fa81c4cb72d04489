using System.Globalization;
using Labyrinth.Cli.Tests.Infrastructure;
using Labyrinth.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Cli.Tests;

public sealed class AuditCommandTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var at = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < count; i++)
        {
            entries.Add(AuditChain.Append(entries.LastOrDefault(), at.AddMinutes(i), "admin", "plugin.install", "com.example.p" + i, "{\"version\":\"1.0.0\"}"));
        }

        return entries;
    }

    private static string WriteExport(TempDirectory temp, IEnumerable<AuditEntry> entries)
    {
        var path = temp.Combine("audit.jsonl");
        using var stream = File.Create(path);
        AuditJsonLines.Write(entries, stream);
        return path;
    }

    [Fact]
    public async Task AuditVerify_IntactExport_SaysOkWithCount()
    {
        using var temp = new TempDirectory();
        var path = WriteExport(temp, Chain(4));

        var run = await CliRunner.RunAsync("audit", "verify", path);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("ok: 4 entries", run.Out);
    }

    [Fact]
    public async Task AuditVerify_EditedEntry_FailsNamingIt()
    {
        using var temp = new TempDirectory();
        var entries = Chain(4);
        entries[1] = entries[1] with { Actor = "mallory" };
        var path = WriteExport(temp, entries);

        var run = await CliRunner.RunAsync("audit", "verify", path);
        var json = await CliRunner.RunAsync("audit", "verify", path, "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Entry 2", run.Error);
        Assert.Contains("edited", run.Error);
        Assert.Contains("\"kind\": \"edited\"", json.Out);
        Assert.Contains("\"sequence\": 2", json.Out);
    }

    [Fact]
    public async Task AuditVerify_DeletedEntry_FailsNamingIt()
    {
        using var temp = new TempDirectory();
        var entries = Chain(4);
        entries.RemoveAt(2);

        var run = await CliRunner.RunAsync("audit", "verify", WriteExport(temp, entries));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("entry 3", run.Error);
        Assert.Contains("deleted", run.Error);
    }

    [Fact]
    public async Task AuditVerify_NeitherDatabaseNorExport_FailsWithSentence()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("x.txt");
        File.WriteAllText(path, "hello\n");

        var run = await CliRunner.RunAsync("audit", "verify", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("neither a Labyrinth database nor an audit export", run.Error);
    }

    [Fact]
    public async Task AuditVerify_PostgresWithoutConnectionString_IsAUsageErrorNamingTheSetting()
    {
        var run = await CliRunner.RunAsync(new Dictionary<string, string> { ["Labyrinth__Database__Provider"] = "Postgres" }, "audit", "verify");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Labyrinth__Database__ConnectionString", run.Error);
    }

    [Fact]
    public async Task AuditVerify_UnknownProvider_IsAUsageError()
    {
        var run = await CliRunner.RunAsync("audit", "verify", "--provider", "Oracle");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("neither Sqlite nor Postgres", run.Error);
    }

    [Fact]
    public async Task AuditVerify_UnreachablePostgres_FailsWithoutPrintingThePassword()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var run = await CliRunner.RunAsync("audit", "verify", "--provider", "Postgres", "--connection-string", "Host=127.0.0.1;Port=1;Username=u;Password=hunter2-secret;Database=labyrinth;Timeout=3");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Could not read the audit table from PostgreSQL database \"labyrinth\"", run.Error);
        Assert.DoesNotContain("hunter2-secret", run.Error + run.Out);
    }

    [Fact]
    public async Task AuditVerify_SqliteDatabase_ReadsTableAndDetectsEdit()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("labyrinth.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE "AuditEntries" ("Sequence" INTEGER NOT NULL PRIMARY KEY, "AtUtc" TEXT NOT NULL, "Actor" TEXT NOT NULL,
                  "Action" TEXT NOT NULL, "PluginId" TEXT NULL, "DetailJson" TEXT NOT NULL, "PrevHash" TEXT NOT NULL, "Hash" TEXT NOT NULL)
                """;
            create.ExecuteNonQuery();
            foreach (var e in Chain(3))
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO AuditEntries VALUES ($s, $at, $actor, $action, $plugin, $detail, $prev, $hash)";
                insert.Parameters.AddWithValue("$s", e.Sequence);
                // EF Core's SQLite text format for DateTime.
                insert.Parameters.AddWithValue("$at", e.AtUtc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                insert.Parameters.AddWithValue("$actor", e.Actor);
                insert.Parameters.AddWithValue("$action", e.Action);
                insert.Parameters.AddWithValue("$plugin", (object?)e.PluginId ?? DBNull.Value);
                insert.Parameters.AddWithValue("$detail", e.DetailJson);
                insert.Parameters.AddWithValue("$prev", e.PrevHash);
                insert.Parameters.AddWithValue("$hash", e.Hash);
                insert.ExecuteNonQuery();
            }
        }

        var intact = await CliRunner.RunAsync("audit", "verify", path);
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE AuditEntries SET DetailJson = '{}' WHERE Sequence = 3";
            update.ExecuteNonQuery();
        }

        var edited = await CliRunner.RunAsync("audit", "verify", path);

        Assert.Equal(0, intact.ExitCode);
        Assert.StartsWith("ok: 3 entries (database)", intact.Out);
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("Entry 3", edited.Error);
    }
}
