using Labyrinth.Core.Audit;

namespace Labyrinth.Backup.Database;

/// <summary>
/// What a database snapshot holds that the rest of the backup depends on: the files it references,
/// its audit chain, its schema version and how many rows each table has. Read from the snapshot
/// itself, never from the live database, so the files copied are exactly the ones it needs.
/// </summary>
public sealed record SnapshotContents(
    string? SchemaVersion,
    IReadOnlyDictionary<string, long> Tables,
    IReadOnlyList<AuditEntry> Audit,
    IReadOnlyList<AssetReference> Assets,
    IReadOnlyList<PluginVersionReference> PluginVersions)
{
    public long Rows(string table) => Tables.TryGetValue(table, out var rows) ? rows : 0;

    /// <summary>Every blob the snapshot references, once, with the first thing that uses it (for sentences).</summary>
    public IReadOnlyDictionary<string, BlobUse> Blobs { get; } = Index(Assets, PluginVersions);

    private static Dictionary<string, BlobUse> Index(IReadOnlyList<AssetReference> assets, IReadOnlyList<PluginVersionReference> versions)
    {
        var blobs = new Dictionary<string, BlobUse>(StringComparer.Ordinal);
        foreach (var version in versions)
        {
            foreach (var file in version.Files)
            {
                blobs.TryAdd(file.Sha256, new BlobUse(file.Bytes, $"plugin file {version.PluginId}@{version.Version}/{file.Path}"));
            }
        }

        foreach (var asset in assets)
        {
            blobs.TryAdd(asset.Sha256, new BlobUse(asset.Bytes, $"asset \"{asset.Name}\""));
        }

        return blobs;
    }
}

/// <summary>A File Registry asset row: its bytes are <c>assets/ab/&lt;sha256&gt;</c>.</summary>
public sealed record AssetReference(string Sha256, long Bytes, string Name);

/// <summary>An installed plugin version and the files of its content-store directory.</summary>
public sealed record PluginVersionReference(string PluginId, string Version, IReadOnlyList<PluginFileReference> Files);

public sealed record PluginFileReference(string Path, string Sha256, long Bytes);

/// <summary>How large a blob is and what needs it, e.g. <c>asset "plan.pdf"</c>.</summary>
public sealed record BlobUse(long Bytes, string Description);
