using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// Cards resolve through the CardWindows index, so a host upgraded from a database whose index had
/// no plugin reference must fill it from the board documents, or every existing card would 404.
/// </summary>
public sealed class CardWindowsMigrationTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "labyrinth-migration-" + Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public async Task Migrate_IndexWithoutPluginReference_FillsItFromTheBoardDocument()
    {
        var boardId = Guid.NewGuid();
        await using (var before = Open())
        {
            await before.GetService<IMigrator>().MigrateAsync("20261205054855_GroupsAvailabilityRollouts", TestContext.Current.CancellationToken);
            const string document = """
                {"viewport":{"x":0,"y":0,"zoom":1},"windows":[
                  {"id":"w_form","kind":"form","title":"Form","x":0,"y":0,"width":100,"height":100,"z":1,"minimized":false,"maximized":false,"data":null,"plugin":null},
                  {"id":"w_card","kind":"plugin","title":"Card","x":0,"y":0,"width":100,"height":100,"z":2,"minimized":false,"maximized":false,"data":null,
                   "plugin":{"pluginId":"dev.test.cards","version":"1.2.3","typeID":"viewer","props":{}}}]}
                """;
            await before.Database.ExecuteSqlAsync(
                $"INSERT INTO Boards (Id, OwnerId, Name, Version, DocumentJson, CreatedAt, UpdatedAt) VALUES ({boardId}, {Guid.NewGuid()}, 'b', 1, {document}, {DateTime.UtcNow}, {DateTime.UtcNow})",
                TestContext.Current.CancellationToken);
            await before.Database.ExecuteSqlAsync($"INSERT INTO CardWindows (BoardId, WindowId) VALUES ({boardId}, 'w_card')", TestContext.Current.CancellationToken);
        }

        await using var after = Open();
        await after.Database.MigrateAsync(TestContext.Current.CancellationToken);

        var row = await after.CardWindows.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(("w_card", "dev.test.cards", "1.2.3", "viewer"), (row.WindowId, row.PluginId, row.Version, row.TypeId));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    private LabyrinthDb Open() => new(new DbContextOptionsBuilder<LabyrinthDb>().UseSqlite($"Data Source={path}").Options);
}
