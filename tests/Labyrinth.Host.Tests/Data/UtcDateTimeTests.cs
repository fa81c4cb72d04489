using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Tests.Data;

/// <summary>The database's one date convention: what goes in as UTC comes back as UTC, whatever the entity.</summary>
public sealed class UtcDateTimeTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "labyrinth-utc-" + Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public async Task ReadBack_EveryDateTimeColumn_HasUtcKind()
    {
        var ct = TestContext.Current.CancellationToken;
        var at = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        await using (var db = Open())
        {
            await db.Database.MigrateAsync(ct);
            db.Users.Add(new UserEntity { Id = Guid.NewGuid(), UserName = "u", NormalizedUserName = "U", PasswordHash = "x", Role = "member", CreatedAt = at, DisabledAt = at });
            await db.SaveChangesAsync(ct);
        }

        await using var read = Open();
        var user = await read.Users.AsNoTracking().SingleAsync(ct);
        var projected = await read.Users.AsNoTracking().Select(u => u.CreatedAt).SingleAsync(ct);

        Assert.Equal((DateTimeKind.Utc, at), (user.CreatedAt.Kind, user.CreatedAt));
        Assert.Equal(DateTimeKind.Utc, user.DisabledAt!.Value.Kind);
        Assert.Equal(DateTimeKind.Utc, projected.Kind);
    }

    [Fact]
    public void Model_EveryDateTimeProperty_ConvertsToUtc()
    {
        using var db = Open();

        var unconverted = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Where(p => p.ClrType == typeof(DateTime) || p.ClrType == typeof(DateTime?)).Select(p => (Entity: e, Property: p)))
            .Where(x => x.Property.GetValueConverter() is not UtcDateTimeConverter)
            .Select(x => $"{x.Entity.ClrType.Name}.{x.Property.Name}")
            .ToList();

        Assert.Empty(unconverted);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    private LabyrinthDb Open() => new(new DbContextOptionsBuilder<LabyrinthDb>().UseSqlite($"Data Source={path}").Options);
}
