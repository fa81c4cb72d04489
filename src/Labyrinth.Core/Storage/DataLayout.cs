namespace Labyrinth.Core.Storage;

/// <summary>
/// Where each part of a host's state lives inside its data directory. The host, the backup and
/// the restore all build paths from these names, so a restored directory is laid out exactly as
/// the host expects it.
/// </summary>
public static class DataLayout
{
    /// <summary>The SQLite database (WAL mode, so <c>-wal</c> and <c>-shm</c> files sit beside it while the host runs).</summary>
    public const string DatabaseFile = "labyrinth.db";

    /// <summary>The immutable plugin content store: <c>plugins/{id}/{version}/{path}</c>.</summary>
    public const string PluginsDirectory = "plugins";

    /// <summary>The File Registry's content-addressed bytes: <c>assets/ab/&lt;sha256&gt;</c>.</summary>
    public const string AssetsDirectory = "assets";

    /// <summary>The Data Protection key ring (<c>keys/dataprotection/</c>) and the local publisher key.</summary>
    public const string KeysDirectory = "keys";

    /// <summary>
    /// What the host derives and can rebuild at any time (compressed variants of plugin files:
    /// <c>cache/variants/ab/&lt;sha256&gt;.&lt;kind&gt;</c>). Not backed up; safe to delete while the host is stopped.
    /// </summary>
    public const string CacheDirectory = "cache";

    public static string DatabasePath(string dataDirectory) => Path.Combine(dataDirectory, DatabaseFile);

    public static string PluginVersionPath(string dataDirectory, string pluginId, string version) =>
        Path.Combine(dataDirectory, PluginsDirectory, pluginId, version);

    /// <summary>The file holding the bytes whose lower-case hex SHA-256 is <paramref name="sha256"/>.</summary>
    public static string AssetPath(string dataDirectory, string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        return Path.Combine(dataDirectory, AssetsDirectory, sha256[..2], sha256);
    }
}
