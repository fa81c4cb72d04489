using System.Net;

namespace Labyrinth.Host.Tests.Data;

/// <summary>The backup archive snapshots the SQLite file; on PostgreSQL the host says so instead of handing out an empty or partial archive.</summary>
public sealed class PostgresBackupTests
{
    [Fact]
    public async Task BackupDownload_OnPostgres_Returns409NotForThisDatabase()
    {
        Assert.SkipUnless(TestDatabase.IsPostgres, "Only a host on PostgreSQL refuses the archive (LABYRINTH_TEST_DB=postgres).");
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();

        using var response = await admin.GetAsync("/api/admin/backups/download");

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "backup.not_for_this_database", response);
    }
}
