using Labyrinth.Host.Data;
using Labyrinth.Host.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// The compiled models (Data/CompiledModel, from <c>dotnet ef dbcontext optimize</c>) replace the
/// model EF would build from OnModelCreating at each start; a compiled model left behind by a
/// model change would silently map the old schema. The migrations' snapshot is the model the
/// schema was built from, so each compiled model must describe exactly that.
/// </summary>
public sealed class CompiledModelTests
{
    [Fact]
    public void SqliteContext_UsesItsCompiledModel_MatchingTheMigrationsSnapshot()
    {
        using var db = new LabyrinthDb(new DbContextOptionsBuilder<LabyrinthDb>().UseSqlite("Data Source=:memory:").Options);

        Assert.IsType<Host.Data.CompiledModel.Sqlite.LabyrinthDbModel>(db.Model);
        Assert.Equal([], Differences(db));
    }

    [Fact]
    public void PostgresContext_UsesItsCompiledModel_MatchingTheMigrationsSnapshot()
    {
        using var db = new PostgresLabyrinthDb(new DbContextOptionsBuilder<PostgresLabyrinthDb>().UseNpgsql("Host=unused.invalid").Options);

        Assert.IsType<Host.Data.CompiledModel.Postgres.PostgresLabyrinthDbModel>(db.Model);
        Assert.Equal([], Differences(db));
    }

    /// <summary>
    /// The tables, columns, keys, indexes and foreign keys the compiled model maps that the model
    /// built from OnModelCreating (the design-time model, which <c>has-pending-model-changes</c>
    /// compares with the migrations) does not, and the other way round. A read-optimized model
    /// cannot be handed to the migrations differ, so both are described the same way and compared.
    /// </summary>
    private static List<string> Differences(LabyrinthDb db)
    {
        var compiled = Describe(db.Model.GetRelationalModel());
        var built = Describe(db.GetService<IDesignTimeModel>().Model.GetRelationalModel());
        return [.. compiled.Except(built).Select(d => "only compiled: " + d), .. built.Except(compiled).Select(d => "only built: " + d)];
    }

    private static SortedSet<string> Describe(IRelationalModel model)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var table in model.Tables)
        {
            var t = table.Schema + "." + table.Name;
            facts.Add("table " + t);
            foreach (var c in table.Columns)
            {
                facts.Add($"column {t}.{c.Name} {c.StoreType} null={c.IsNullable} default={c.DefaultValueSql}{c.DefaultValue} computed={c.ComputedColumnSql} rowversion={c.IsRowVersion}");
            }

            foreach (var k in table.UniqueConstraints)
            {
                facts.Add($"key {t} {k.Name} ({string.Join(",", k.Columns.Select(c => c.Name))}) primary={k.GetIsPrimaryKey()}");
            }

            foreach (var i in table.Indexes)
            {
                facts.Add($"index {t} {i.Name} ({string.Join(",", i.Columns.Select(c => c.Name))}) unique={i.IsUnique} filter={i.Filter}");
            }

            foreach (var f in table.ForeignKeyConstraints)
            {
                facts.Add($"fk {t} {f.Name} ({string.Join(",", f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name} on delete {f.OnDeleteAction}");
            }
        }

        return facts;
    }
}
