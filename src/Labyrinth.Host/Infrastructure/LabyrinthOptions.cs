namespace Labyrinth.Host.Infrastructure;

/// <summary>Host settings, bound from the "Labyrinth" section (env: Labyrinth__DataDir, …).</summary>
internal sealed class LabyrinthOptions
{
    public const string Section = "Labyrinth";

    /// <summary>Where the database, plugin store and keys live. Relative paths are resolved from the repository root.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Built web UI (index.html + assets). Defaults to web/dist in the repository.</summary>
    public string? WebRoot { get; set; }

    /// <summary>Built frame bootstrap. Defaults to web/frame/dist in the repository.</summary>
    public string? FrameRoot { get; set; }

    /// <summary>Example plugins' build outputs (each plugins/*/dist). Empty string disables example registration.</summary>
    public string? ExamplePluginsDir { get; set; }

    /// <summary>
    /// Also install the example plugins marked test-only (<c>"labyrinth": { "testOnly": true }</c> in
    /// their package.json: the sandbox probe). Set by the test fixtures; never wanted by people.
    /// </summary>
    public bool InstallTestPlugins { get; set; }

    public int LoginAttemptsPerMinute { get; set; } = 10;

    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Whether admins may upload development versions (<c>x.y.z-dev.N</c>, unsigned, from
    /// <c>labyrinth plugin dev</c>). Unset: on when the host listens on loopback addresses only,
    /// off otherwise. Env: <c>Labyrinth__Plugins__AllowDevInstalls</c>.
    /// </summary>
    public PluginSettings Plugins { get; set; } = new();

    /// <summary>Which database engine holds the host's rows (<c>Labyrinth:Database</c>).</summary>
    public DatabaseSettings Database { get; set; } = new();

    /// <summary>Where content-addressed files (plugin files, uploads) live and how often the unreferenced ones are swept (<c>Labyrinth:Blobs</c>).</summary>
    public BlobSettings Blobs { get; set; } = new();
}

/// <summary>The database engines the host runs on.</summary>
internal enum DatabaseProvider
{
    /// <summary>One file in the data directory; the embedded default, one instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by any number of instances.</summary>
    Postgres,
}

/// <summary>The "Labyrinth:Database" section (env: <c>Labyrinth__Database__Provider</c>, <c>Labyrinth__Database__ConnectionString</c>).</summary>
internal sealed class DatabaseSettings
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>An Npgsql connection string; required for PostgreSQL, unused for SQLite (its file lives in the data directory).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Whether a starting instance applies pending migrations (under a database-wide lock, so only
    /// one of several starting instances does). Off: an instance whose schema is behind refuses to
    /// start, and migrations are applied by one deliberate run with <c>--migrate</c> first.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>Where content-addressed blobs are kept.</summary>
internal enum BlobProvider
{
    /// <summary>Files under the data directory (the default).</summary>
    Directory,

    /// <summary>The <c>Blobs</c> table of the PostgreSQL database itself, so a cluster needs no shared disk.</summary>
    Database,
}

/// <summary>The "Labyrinth:Blobs" section (env: <c>Labyrinth__Blobs__Provider</c>).</summary>
internal sealed class BlobSettings
{
    public BlobProvider Provider { get; set; } = BlobProvider.Directory;

    /// <summary>
    /// How often one instance sweeps the store for blobs no row references (what an interrupted
    /// upload or install, or a removal an instance died in the middle of, left behind). Removals
    /// that follow a deleted asset or an uninstalled version happen at once, not at the sweep.
    /// Zero turns the sweep off.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>The "Labyrinth:Plugins" section.</summary>
internal sealed class PluginSettings
{
    public bool? AllowDevInstalls { get; set; }

    /// <summary>How many development versions of one plugin are kept; older ones are uninstalled on the next dev install.</summary>
    public int DevVersionsKept { get; set; } = 3;
}
