using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Plugins;
using Labyrinth.Core.Themes;
using Labyrinth.Host.Data;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>One servable file, held in memory with its precompressed variants and strong ETag.</summary>
internal sealed record PluginFile(string Path, byte[] Content, byte[]? Brotli, byte[]? Gzip, string ETag, string ContentType)
{
    /// <summary>The Content-Type header value (with its charset), built once per file rather than per request.</summary>
    public string ContentTypeHeader { get; } = ContentTypes.HeaderValue(ContentType);

    /// <summary>The path passes <see cref="PluginPath.Check"/> (checked once, so a lookup by the raw target can skip it).</summary>
    public bool PathIsServable { get; } = PluginPath.Check(Path) is null;

    /// <summary>Served as a document (HTML, SVG): gets the card CSP, which names the request's origin and token.</summary>
    public bool IsDocument { get; } = ContentType is "text/html" or "image/svg+xml";

    /// <summary>The uncompressed body with its Content-Length, built once.</summary>
    public PluginFileVariant Identity { get; } = new(Content, null);

    /// <summary>The brotli body, when it is smaller than the file.</summary>
    public PluginFileVariant? BrotliVariant { get; } = Brotli is null ? null : new(Brotli, "br");

    /// <summary>The gzip body, when it is smaller than the file.</summary>
    public PluginFileVariant? GzipVariant { get; } = Gzip is null ? null : new(Gzip, "gzip");
}

/// <summary>One encoding of a plugin file: the body and the header values that go with it, built once per file.</summary>
internal sealed class PluginFileVariant(byte[] body, string? encoding)
{
    public byte[] Body { get; } = body;

    /// <summary>The Content-Encoding value, or null for the identity body.</summary>
    public string? Encoding { get; } = encoding;

    public long Length { get; } = body.LongLength;
}

internal sealed record InstalledVersion(string PluginId, string Version, PluginManifest Manifest, FrozenDictionary<string, PluginFile> Files, long TotalBytes)
{
    public CardDefinition? FindCard(string typeId) => Manifest.Cards.FirstOrDefault(c => c.TypeId == typeId);

    /// <summary>This version's card-origin label (<see cref="CardOrigins.Label"/>), hashed once rather than per request.</summary>
    public string CardLabel { get; } = CardOrigins.Label(PluginId, Version);

    /// <summary>Some admin page's entry is among the files: those need a page ticket (otherwise no file does).</summary>
    public bool HasGatedFiles { get; } = Manifest.Pages.Any(p => p.Role == PageRole.Admin);

    /// <summary>
    /// Is this file an admin page's entry (served only with a page ticket, never to a shared cache)?
    /// Asked on every plugin-file request, so a loop: a lambda capturing the path at the call site
    /// cost an allocation per request, gated file or not.
    /// </summary>
    public bool IsAdminPageEntry(string path)
    {
        if (!HasGatedFiles)
        {
            return false;
        }

        foreach (var page in Manifest.Pages)
        {
            if (page.Role == PageRole.Admin && string.Equals(page.Entry, path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public long EntryBytes(CardDefinition card) => Files.TryGetValue(card.Entry, out var f) ? f.Content.LongLength : 0;

    /// <summary>"trusted" or "unsigned-allowlisted"; an unsigned plugin carries a warning badge wherever it appears.</summary>
    public string SignatureStatus { get; init; } = "trusted";

    /// <summary>The trusted publisher key's name, when signed.</summary>
    public string? SignedBy { get; init; }

    /// <summary>The themes this version ships, validated when it was loaded.</summary>
    public IReadOnlyList<InstalledTheme> Themes { get; init; } = [];

    /// <summary>
    /// Set when the package was packed past the accessibility gate (<c>--allow-a11y-warnings</c>):
    /// read from its <c>ACCESSIBILITY.json</c>, whatever the manifest says, and shown as a mark.
    /// </summary>
    public AccessibilityMark? Accessibility { get; init; }
}

/// <summary>A package packed with accessibility problems: how many the gate found.</summary>
internal sealed record AccessibilityMark(int Findings)
{
    public const string MarkerPath = "ACCESSIBILITY.json";

    /// <summary>The mark a package's marker file carries; a marker that does not parse still marks it (unknown count: -1).</summary>
    public static AccessibilityMark? Read(IReadOnlyDictionary<string, PluginFile> files)
    {
        if (!files.TryGetValue(MarkerPath, out var file))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(file.Content);
            return new(doc.RootElement.TryGetProperty("findings", out var f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : -1);
        }
        catch (JsonException)
        {
            return new(-1);
        }
    }
}

/// <summary>A plugin theme: its manifest entry and the complete (resolved) theme.</summary>
internal sealed record InstalledTheme(ThemeEntry Entry, ResolvedTheme Theme);

internal sealed record InstalledPlugin(string Id, string ActiveVersion, bool Enabled, FrozenDictionary<string, InstalledVersion> Versions)
{
    public InstalledVersion? Active => Versions.GetValueOrDefault(ActiveVersion);

    /// <summary>The whole plugin is killed (every version).</summary>
    public bool Killed { get; init; }

    /// <summary>Versions killed one by one (id@version).</summary>
    public FrozenSet<string> KilledVersions { get; init; } = FrozenSet<string>.Empty;

    public bool IsKilled(string version) => Killed || KilledVersions.Contains(version);

    /// <summary>Enabled, not killed, and its active version loads: the plugin users can see and spawn.</summary>
    public bool IsUsable => Enabled && Active is not null && !IsKilled(ActiveVersion);
}

/// <summary>
/// The in-memory view of installed plugins that hot paths (file serving, frames, spawn checks)
/// read without touching the database. Rebuilt from the database + content store on change.
/// </summary>
internal sealed partial class PluginCatalog(IServiceScopeFactory scopes, HostPaths paths, CompressedVariants variants, IBlobStore blobs, ILogger<PluginCatalog> logger)
{
    private static readonly FrozenSet<string> CompressibleTypes = new[]
    {
        "text/javascript", "text/css", "text/html", "image/svg+xml", "application/json", "text/plain", "model/gltf+json", "application/wasm",
    }.ToFrozenSet(StringComparer.Ordinal);

    private const int LargeFileBytes = 256 * 1024;

    private volatile FrozenDictionary<string, InstalledPlugin> plugins = FrozenDictionary<string, InstalledPlugin>.Empty;

    // Compressing is the expensive part of loading; a version's bytes never change, so do it once per process.
    private readonly ConcurrentDictionary<string, InstalledVersion> versionCache = new(StringComparer.Ordinal);

    public IReadOnlyCollection<InstalledPlugin> All => plugins.Values;

    public InstalledPlugin? Find(string id) => plugins.GetValueOrDefault(id);

    public InstalledVersion? FindVersion(string id, string version) =>
        plugins.TryGetValue(id, out var p) ? p.Versions.GetValueOrDefault(version) : null;

    public bool IsKilled(string id, string version) => plugins.TryGetValue(id, out var p) && p.IsKilled(version);

    /// <summary>The plugin named by a span of the request target, without making a string of it.</summary>
    public InstalledPlugin? Find(ReadOnlySpan<char> id) =>
        plugins.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(id, out var p) ? p : null;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var pluginRows = await db.Plugins.AsNoTracking().ToListAsync(ct);
        var versionRows = await db.PluginVersions.AsNoTracking().ToListAsync(ct);

        // Reading, hashing and decoding the stored files is CPU work per version: at start (every
        // version, nothing cached yet) each core takes its share; later reloads hit the cache.
        var loadedVersions = new InstalledVersion?[versionRows.Count];
        Parallel.For(0, versionRows.Count, new ParallelOptions { CancellationToken = ct }, i => loadedVersions[i] = LoadVersion(versionRows[i]));
        var result = new Dictionary<string, InstalledPlugin>(StringComparer.Ordinal);
        foreach (var p in pluginRows)
        {
            var versions = new Dictionary<string, InstalledVersion>(StringComparer.Ordinal);
            for (var i = 0; i < versionRows.Count; i++)
            {
                if (versionRows[i].PluginId == p.Id && loadedVersions[i] is { } loaded)
                {
                    versions[versionRows[i].Version] = loaded;
                }
            }

            result[p.Id] = new InstalledPlugin(p.Id, p.ActiveVersion, p.Enabled, versions.ToFrozenDictionary(StringComparer.Ordinal))
            {
                Killed = p.Killed,
                KilledVersions = versionRows.Where(v => v.PluginId == p.Id && v.Killed).Select(v => v.Version).ToFrozenSet(StringComparer.Ordinal),
            };
        }

        plugins = result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// Drops the cached loads of <paramref name="pluginId"/>@<paramref name="version"/> (uninstalled,
    /// or replaced by a development build), except the one of <paramref name="keepDigest"/>'s bytes.
    /// </summary>
    public void Forget(string pluginId, string version, string? keepDigest = null)
    {
        var prefix = pluginId + "@" + version + "#";
        foreach (var key in versionCache.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k != prefix + keepDigest))
        {
            versionCache.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// The first phase of a change that offers something new: loads these versions (files fetched
    /// from the shared store, digests checked, variants compressed) into the cache without offering
    /// them, so the reload that commits the change only swaps. Returns why a version cannot be
    /// served here, or null when all of them can.
    /// </summary>
    public async Task<string?> PrepareAsync(IReadOnlyList<PreparedVersion> versions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        return await Task.Run(() =>
        {
            foreach (var version in versions)
            {
                ct.ThrowIfCancellationRequested();
                if (LoadVersion(version.ToEntity(), version.SafeStaging) is null)
                {
                    return $"{version.PluginId}@{version.Version} cannot be loaded here (see this instance's log)";
                }
            }

            return null;
        }, ct);
    }

    private InstalledVersion? LoadVersion(PluginVersionEntity row, string? staging = null)
    {
        // The digest is part of the key: a development build replaces a version's bytes, and a
        // prepared but uncommitted replacement must not stand in for the committed one.
        var key = CacheKey(row.PluginId, row.Version) + "#" + row.Digest;
        if (versionCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var manifestResult = ManifestValidator.Validate(Encoding.UTF8.GetBytes(row.ManifestJson));
        if (manifestResult.Manifest is null)
        {
            LogStoreCorrupt(logger, row.PluginId, row.Version, "manifest no longer validates");
            return null;
        }

        var entries = JsonSerializer.Deserialize<List<StoredFile>>(row.FilesJson, JsonSerializerOptions.Web) ?? [];
        // Quality 11 costs ~3 s per MB: worth it for a typical card bundle, not for a package of
        // many MB (a 10 MB / 1,000-file package kept its upload waiting ~25 s).
        // A development version lives for one save: the fast level keeps the save-to-screen loop short.
        var bestCompression = entries.Sum(e => e.Bytes) <= LargeFileBytes * 4 && row.SignatureStatus != PluginStore.StatusDev;
        var root = PluginStore.VersionDir(paths, row.PluginId, row.Version);
        var files = new Dictionary<string, PluginFile>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var full = Path.Combine(root, entry.Path);
            var bytes = ReadIfPresent(full);
            if (bytes is null && staging is not null)
            {
                // Being installed: not moved into place until the change commits.
                bytes = ReadIfPresent(Path.Combine(paths.PluginStore, staging, entry.Path));
            }

            var sha = bytes is null ? null : Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(sha, entry.Sha256, StringComparison.Ordinal) && FetchShared(full, entry.Sha256) is { } shared)
            {
                // Missing here, or a stale copy this instance cached for a change that was prepared
                // and then abandoned: the shared store holds the bytes the row names.
                bytes = shared;
                sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            }

            if (bytes is null)
            {
                LogStoreCorrupt(logger, row.PluginId, row.Version, "missing file " + entry.Path);
                return null;
            }

            if (!string.Equals(sha, entry.Sha256, StringComparison.Ordinal))
            {
                // The store is immutable; a changed file means tampering or disk corruption, never serve it.
                LogStoreCorrupt(logger, row.PluginId, row.Version, "digest mismatch for " + entry.Path);
                return null;
            }

            files[entry.Path] = CreateFile(entry.Path, bytes, bestCompression);
        }

        var version = new InstalledVersion(row.PluginId, row.Version, manifestResult.Manifest, files.ToFrozenDictionary(StringComparer.Ordinal), row.TotalBytes)
        {
            SignatureStatus = row.SignatureStatus,
            SignedBy = row.KeyName,
            Themes = LoadThemes(row, manifestResult.Manifest, files),
            Accessibility = AccessibilityMark.Read(files),
        };
        versionCache[key] = version;
        return version;
    }

    /// <summary>
    /// The file's bytes, or null when it is not there. No "does it exist" first: another instance
    /// sharing the store may move the directory away (an uninstall, a staging directory moving into
    /// place) between the question and the read.
    /// </summary>
    private static byte[]? ReadIfPresent(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// A file this instance's directory lacks (another instance installed the version): the shared
    /// blob store's copy, kept in the directory as this instance's cache. Null when there is none.
    /// </summary>
    private byte[]? FetchShared(string full, string sha256)
    {
        if (!blobs.IsShared || blobs.Get(sha256.ToLowerInvariant()) is not { } bytes)
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            var part = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(part, bytes);
            File.Move(part, full, overwrite: true);
        }
        catch (IOException)
        {
            // The cache is an optimisation: serving from memory works without it.
        }

        return bytes;
    }

    /// <summary>
    /// Themes were validated at install; validate again on load so a theme that a newer host's
    /// rules refuse is dropped (logged) instead of reaching the UI. The plugin itself still loads.
    /// </summary>
    private List<InstalledTheme> LoadThemes(PluginVersionEntity row, PluginManifest manifest, Dictionary<string, PluginFile> files)
    {
        var themes = new List<InstalledTheme>();
        foreach (var entry in manifest.Themes)
        {
            var result = files.TryGetValue(entry.Path, out var file) ? ThemeValidator.Validate(file.Content) : null;
            if (result?.Theme is { } theme && theme.ThemeId == entry.ThemeId)
            {
                themes.Add(new InstalledTheme(entry, theme));
            }
            else
            {
                LogThemeUnusable(logger, row.PluginId, row.Version, entry.ThemeId);
            }
        }

        return themes;
    }

    private PluginFile CreateFile(string path, byte[] bytes, bool bestCompression)
    {
        var contentType = ContentTypes.For(path);
        if (contentType == "text/html")
        {
            bytes = FrameDocument.InjectBootstrap(bytes);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        byte[]? br = null, gz = null;
        if (CompressibleTypes.Contains(contentType) && bytes.Length > 256)
        {
            // Brotli's smallest size (quality 11) runs at ~0.3 MB/s: a 6 MB bundle kept an upload
            // waiting ~20 s. Above 256 KiB take the default level (~9 MB/s, ~13% larger).
            var smallest = bestCompression && bytes.Length <= LargeFileBytes;
            br = variants.Get(sha, smallest ? "br-smallest" : "br-optimal", bytes,
                b => Compress(b, s => new BrotliStream(s, smallest ? CompressionLevel.SmallestSize : CompressionLevel.Optimal, leaveOpen: true)));
            gz = variants.Get(sha, "gz-smallest", bytes, b => Compress(b, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true)));
            if (br.Length >= bytes.Length)
            {
                br = null;
            }

            if (gz.Length >= bytes.Length)
            {
                gz = null;
            }
        }

        return new PluginFile(path, bytes, br, gz, "\"" + sha + "\"", contentType);
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> create)
    {
        using var output = new MemoryStream();
        using (var stream = create(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    private static string CacheKey(string id, string version) => id + "@" + version;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId}@{Version}: theme {ThemeId} no longer validates and is not offered")]
    private static partial void LogThemeUnusable(ILogger logger, string pluginId, string version, string themeId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Plugin {PluginId}@{Version} in the store is not usable: {Reason}")]
    private static partial void LogStoreCorrupt(ILogger logger, string pluginId, string version, string reason);
}

internal sealed record StoredFile(string Path, string Sha256, long Bytes);

/// <summary>A version row as a change proposes it, sent to every instance to prepare before anything is committed.</summary>
internal sealed partial record PreparedVersion(string PluginId, string Version, string ManifestJson, string FilesJson, long TotalBytes, string Digest, string SignatureStatus, string? KeyName)
{
    public string? KeyId { get; init; }

    /// <summary>
    /// For a version being installed: the upload's staging directory in the plugin store, where the
    /// proposing instance (and any instance sharing its disk) finds the files before they move.
    /// </summary>
    public string? Staging { get; init; }

    /// <summary>The staging directory when its name is one the host makes (never a path from elsewhere).</summary>
    public string? SafeStaging => Staging is { } s && StagingName().IsMatch(s) ? s : null;

    [System.Text.RegularExpressions.GeneratedRegex("^\\.staging-[0-9a-f]{32}$")]
    private static partial System.Text.RegularExpressions.Regex StagingName();

    public static PreparedVersion From(PluginVersionEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.PluginId, row.Version, row.ManifestJson, row.FilesJson, row.TotalBytes, row.Digest, row.SignatureStatus, row.KeyName) { KeyId = row.KeyId };
    }

    public PluginVersionEntity ToEntity() => new()
    {
        PluginId = PluginId,
        Version = Version,
        ManifestJson = ManifestJson,
        FilesJson = FilesJson,
        TotalBytes = TotalBytes,
        Digest = Digest,
        SignatureStatus = SignatureStatus,
        KeyName = KeyName,
        KeyId = KeyId,
    };
}
