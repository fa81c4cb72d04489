using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>Instances starting together against one empty PostgreSQL database: one migrates, the others wait and find nothing to do.</summary>
public sealed class MigrationLockTests
{
    [Fact]
    public async Task TwoInstancesStartingTogether_EmptyDatabase_ExactlyOneApplies()
    {
        Assert.SkipUnless(TestDatabase.IsPostgres, "Several instances share a database only on PostgreSQL (LABYRINTH_TEST_DB=postgres).");
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var a = cluster.Host();
        var b = cluster.Host();

        await Task.WhenAll(Task.Run(() => a.Services, ct), Task.Run(() => b.Services, ct));

        var migrated = new[] { a, b }.Count(app => app.Logs.Entries.Any(e => e.Message.StartsWith("Applied ", StringComparison.Ordinal) && e.Message.Contains("database migration", StringComparison.Ordinal)));
        await using var scope = b.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        Assert.Equal(1, migrated);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
        Assert.Equal(db.Database.GetMigrations().Count(), (await db.Database.GetAppliedMigrationsAsync(ct)).Count());
    }

    [Fact]
    public async Task Start_SchemaBehindAndMigrateOnStartOff_RefusesToStart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var app = cluster.Host(new Dictionary<string, string?> { ["Labyrinth:Database:MigrateOnStart"] = "false" });

        var error = await Record.ExceptionAsync(() => Task.Run(() => app.Services, ct));

        Assert.NotNull(error);
        Assert.Contains("MigrateOnStart", error.ToString(), StringComparison.Ordinal);
    }
}
