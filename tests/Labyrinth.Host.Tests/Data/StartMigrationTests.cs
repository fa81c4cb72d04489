using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// A start reads the migration history with one plain query and only runs EF Core's migrator when
/// a migration of this build is missing: a database behind by any migration, even the last one
/// alone, must still be migrated (or refused when this instance may not migrate), on both engines.
/// </summary>
public sealed class StartMigrationTests : IDisposable
{
    private readonly string dataDir = Directory.CreateTempSubdirectory("labyrinth-start-migration-").FullName;

    [Fact]
    public async Task Start_DatabaseOneMigrationBehind_AppliesTheLastMigration()
    {
        var ct = TestContext.Current.CancellationToken;
        var latest = await RollBackLatestMigrationAsync(ct);

        await using var again = Host();
        await using var scope = again.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();

        Assert.Contains(again.Logs.Entries, e => e.Message.StartsWith("Applied 1 database migration(s)", StringComparison.Ordinal) && e.Message.EndsWith(latest, StringComparison.Ordinal));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
    }

    [Fact]
    public async Task Start_DatabaseOneMigrationBehindAndMigrateOnStartOff_RefusesToStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var latest = await RollBackLatestMigrationAsync(ct);
        await using var again = Host(new Dictionary<string, string?> { ["Labyrinth:Database:MigrateOnStart"] = "false" });

        var error = await Record.ExceptionAsync(() => Task.Run(() => again.Services, ct));

        Assert.NotNull(error);
        Assert.Contains($"1 migration(s) pending, first {latest}", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SchemaUpToDate_AppliesNothing()
    {
        await using (var first = Host())
        {
            _ = first.Services;
            Assert.Contains(first.Logs.Entries, e => e.Message.StartsWith("Applied ", StringComparison.Ordinal));
        }

        await using var again = Host();
        _ = again.Services;

        Assert.DoesNotContain(again.Logs.Entries, e => e.Message.StartsWith("Applied ", StringComparison.Ordinal));
        await using var scope = again.Services.CreateAsyncScope();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<LabyrinthDb>().Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private LabyrinthApp Host(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Labyrinth:DataDir"] = dataDir, ["Labyrinth:ExamplePluginsDir"] = "" };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new LabyrinthApp(settings);
    }

    /// <summary>Starts a host on the data directory (which migrates it), then takes its schema one migration back; the latest migration's id.</summary>
    private async Task<string> RollBackLatestMigrationAsync(CancellationToken ct)
    {
        await using var first = Host();
        await using var scope = first.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var migrations = db.Database.GetMigrations().ToList();
        await db.GetService<IMigrator>().MigrateAsync(migrations[^2], cancellationToken: ct);
        Assert.Equal([migrations[^1]], await db.Database.GetPendingMigrationsAsync(ct));
        return migrations[^1];
    }
}
