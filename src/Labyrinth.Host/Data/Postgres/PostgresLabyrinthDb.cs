using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Data.Postgres;

/// <summary>
/// The same model on PostgreSQL, with its own migrations (Data/Postgres/Migrations): EF Core keys
/// migrations by context type, so each engine has a history generated for its own SQL types.
/// <c>dotnet ef</c> reaches it through the host's own services when told to run on PostgreSQL
/// (docs/operations.md: <c>-- --Labyrinth:Database:Provider=Postgres …</c>; nothing connects).
/// Rows that several instances update concurrently carry PostgreSQL's <c>xmin</c> as a concurrency
/// token: a read-modify-write that lost a race fails instead of silently overwriting the winner.
/// </summary>
internal sealed class PostgresLabyrinthDb(DbContextOptions<PostgresLabyrinthDb> options) : LabyrinthDb(options)
{
    /// <summary>The shadow property mapped to the system column <c>xmin</c> (never a real column).</summary>
    public const string RowVersion = "xmin";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<PluginEntity>().Property<uint>(RowVersion).IsRowVersion();
        modelBuilder.Entity<UserEntity>().Property<uint>(RowVersion).IsRowVersion();
        modelBuilder.Entity<RolloutEntity>().Property<uint>(RowVersion).IsRowVersion();
        modelBuilder.Entity<NetworkServiceEntity>().Property<uint>(RowVersion).IsRowVersion();
        modelBuilder.Entity<GroupEntity>().Property<uint>(RowVersion).IsRowVersion();
    }
}
