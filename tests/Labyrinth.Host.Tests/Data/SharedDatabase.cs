namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// Hosts that share one database, as instances of a cluster do: on PostgreSQL a fresh database
/// they all open (each keeps its own data directory, as separate machines would); on SQLite, where
/// the host runs as one instance, the same hosts each get their own file.
/// </summary>
internal sealed class SharedDatabase : IAsyncDisposable
{
    private readonly TestDatabase.Database? database = TestDatabase.IsPostgres ? TestDatabase.Create() : null;
    private readonly List<LabyrinthApp> apps = [];

    public bool IsShared => database is not null;

    public LabyrinthApp Host(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "" };
        if (database is not null)
        {
            settings["Labyrinth:Database:Provider"] = "Postgres";
            settings["Labyrinth:Database:ConnectionString"] = database.ConnectionString;
            settings["Labyrinth:Blobs:Provider"] = "Database";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = new LabyrinthApp(settings);
        apps.Add(app);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.DisposeAsync();
        }

        database?.Dispose();
    }
}
