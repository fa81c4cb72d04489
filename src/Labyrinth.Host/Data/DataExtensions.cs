using Labyrinth.Host.Data.Postgres;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Data;

internal static class DataExtensions
{
    /// <summary>
    /// The database behind <see cref="LabyrinthDb"/>, chosen by <c>Labyrinth:Database:Provider</c>:
    /// SQLite (a file in the data directory, one writer per process through <see cref="SqliteWriteGate"/>)
    /// or PostgreSQL (<see cref="PostgresLabyrinthDb"/>, shared by every instance).
    /// </summary>
    public static IServiceCollection AddLabyrinthData(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(LabyrinthOptions.Section + ":Database").Get<DatabaseSettings>() ?? new DatabaseSettings();
        services.AddSingleton(new DatabaseEngine(settings));
        services.AddSingleton<DataEpochs>();
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                throw new InvalidOperationException(
                    "Labyrinth:Database:Provider is Postgres but Labyrinth:Database:ConnectionString is empty; set it (env: Labyrinth__Database__ConnectionString).");
            }

            services.AddDbContextPool<LabyrinthDb, PostgresLabyrinthDb>(options => options.UseNpgsql(settings.ConnectionString));
            return services;
        }

        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<SqliteWriteInterceptor>();
        // Pooled: building a context (its services, options and model lookups) was the largest part
        // of a small request's own work, paid once per request by the session check. A pooled
        // context is reset on return (tracked entities, transaction, connection, options).
        services.AddDbContextPool<LabyrinthDb>((sp, options) =>
        {
            var paths = sp.GetRequiredService<HostPaths>();
            options.UseSqlite($"Data Source={paths.DatabaseFile};Pooling=True")
                .AddInterceptors(sp.GetRequiredService<SqliteWriteInterceptor>());
        });
        return services;
    }

    /// <summary>Creates the data directory and brings the schema up to date (<see cref="DatabaseEngine.MigrateAsync"/>); the migrations this call applied.</summary>
    public static async Task<IReadOnlyList<string>> MigrateLabyrinthDataAsync(this IServiceProvider services, Func<Task>? underLock = null, CancellationToken ct = default)
    {
        services.GetRequiredService<HostPaths>().EnsureCreated();
        return await services.GetRequiredService<DatabaseEngine>().MigrateAsync(services, underLock, ct);
    }
}
