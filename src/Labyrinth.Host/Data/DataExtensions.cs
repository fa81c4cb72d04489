using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Data;

internal static class DataExtensions
{
    public static IServiceCollection AddLabyrinthData(this IServiceCollection services)
    {
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<SqliteWriteInterceptor>();
        services.AddDbContext<LabyrinthDb>((sp, options) =>
        {
            var paths = sp.GetRequiredService<HostPaths>();
            options.UseSqlite($"Data Source={paths.DatabaseFile};Pooling=True")
                .AddInterceptors(sp.GetRequiredService<SqliteWriteInterceptor>());
        });
        return services;
    }

    /// <summary>Creates the data directory, applies migrations and switches SQLite to WAL (≈10× faster commits).</summary>
    public static async Task MigrateLabyrinthDataAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        services.GetRequiredService<HostPaths>().EnsureCreated();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        // Only when something is pending: migrating takes a lock row even when up to date, and a
        // start with nothing to do must write nothing (it may be on a full disk).
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await db.Database.MigrateAsync(ct);
        }

        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
