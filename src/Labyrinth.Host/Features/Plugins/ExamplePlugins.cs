using System.Text.Json;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// The host's local publisher key (data/keys/local-publisher.json): generated and trusted on first
/// run (audited as "system"); it signs the example plugins. Removing it from the trust store is
/// respected — it is only trusted when it is generated.
/// </summary>
internal sealed partial class LocalPublisher(HostPaths paths, LabyrinthDb db, AuditLog audit, TimeProvider clock, ILogger<LocalPublisher> logger)
{
    public const string FileName = "local-publisher.json";
    public const string KeyName = "Labyrinth local publisher";

    public string KeyFile => Path.Combine(paths.KeysDir, FileName);

    public async Task<PublisherKey> LoadOrCreateAsync(CancellationToken ct)
    {
        if (File.Exists(KeyFile))
        {
            return PublisherKey.ImportKeyFile(await File.ReadAllBytesAsync(KeyFile, ct));
        }

        var key = PublisherKey.Generate(KeyName);
        Directory.CreateDirectory(paths.KeysDir);
        // A name of its own: two hosts starting on one data directory must not write one temp file.
        var temp = KeyFile + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temp, key.ExportKeyFile(), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temp, KeyFile, overwrite: false);
        }
        catch (IOException) when (File.Exists(KeyFile))
        {
            // Another host on the same data directory made it first: use theirs.
            File.Delete(temp);
            key.Dispose();
            key = PublisherKey.ImportKeyFile(await File.ReadAllBytesAsync(KeyFile, ct));
        }

        var publicKey = Convert.ToBase64String(key.PublicKey);
        if (!await db.TrustedKeys.AnyAsync(k => k.KeyId == key.KeyId, ct))
        {
            db.TrustedKeys.Add(new TrustedKeyEntity { KeyId = key.KeyId, Name = key.Name, PublicKey = publicKey, AddedAt = clock.GetUtcNow().UtcDateTime });
            await audit.AppendAsync(AuditActions.SystemActor, AuditActions.TrustAdd, null,
                new { keyId = key.KeyId, name = key.Name, publicKey, reason = "first run: the local publisher key that signs the example plugins" }, ct);
        }

        LogGenerated(logger, key.KeyId, KeyFile);
        return key;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated and trusted the local publisher key {KeyId} ({KeyFile})")]
    private static partial void LogGenerated(ILogger logger, string keyId, string keyFile);
}

/// <summary>
/// Installs the example plugins built in plugins/*/dist: each is packed in memory into a
/// .labyrinthplugin signed by the local publisher key and sent through the same import path as
/// an upload (<see cref="PluginStore.ImportAsync"/>) — unless that id@version is already installed
/// with exactly these files, in which case nothing is staged or written.
/// </summary>
internal sealed partial class ExamplePlugins(
    HostPaths paths, PluginStore store, LocalPublisher publisher, LabyrinthDb db, Apps.ServiceGrants grants, IOptions<LabyrinthOptions> options, ILogger<ExamplePlugins> logger)
{
    public async Task InstallAsync(CancellationToken ct)
    {
        using var key = await publisher.LoadOrCreateAsync(ct);
        if (paths.ExamplePluginsDir is null || !Directory.Exists(paths.ExamplePluginsDir))
        {
            return;
        }

        // Dependencies first (clock-widget's name sorts before the dashboard it extends), so a first
        // start does not log a refusal it then recovers from. An example that still waits for
        // another is tried again after the rest, until a pass installs nothing more.
        var pending = DependenciesFirst(Directory.EnumerateDirectories(paths.ExamplePluginsDir).Order(StringComparer.Ordinal).ToList());
        while (pending.Count > 0)
        {
            var waiting = new List<string>();
            foreach (var pluginDir in pending)
            {
                if (await InstallOneAsync(pluginDir, key, last: false, ct) == Installed.WaitsForDependency)
                {
                    waiting.Add(pluginDir);
                }
            }

            if (waiting.Count == pending.Count)
            {
                foreach (var pluginDir in waiting)
                {
                    await InstallOneAsync(pluginDir, key, last: true, ct);
                }

                break;
            }

            pending = waiting;
        }
    }

    /// <summary>
    /// The example folders, each after the examples its built manifest depends on (name order
    /// otherwise); a cycle or an unreadable manifest keeps the rest in name order.
    /// </summary>
    internal static List<string> DependenciesFirst(IReadOnlyList<string> folders)
    {
        var needs = folders.ToDictionary(f => f, f => ReadIdAndDependencies(f));
        var ids = needs.Values.Select(n => n.Id).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<string>();
        var rest = folders.ToList();
        while (rest.Count > 0)
        {
            var ready = rest.Where(f => needs[f].Dependencies.All(d => placed.Contains(d) || !ids.Contains(d))).ToList();
            if (ready.Count == 0)
            {
                ordered.AddRange(rest);
                break;
            }

            foreach (var folder in ready)
            {
                ordered.Add(folder);
                rest.Remove(folder);
                if (needs[folder].Id is { } id)
                {
                    placed.Add(id);
                }
            }
        }

        return ordered;
    }

    private static (string? Id, string[] Dependencies) ReadIdAndDependencies(string pluginDir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(pluginDir, "dist", PackageReader.ManifestPath)));
            var root = doc.RootElement;
            var id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var dependencies = root.TryGetProperty("dependencies", out var d) && d.ValueKind == JsonValueKind.Object
                ? d.EnumerateObject().Select(p => p.Name).ToArray()
                : [];
            return (id, dependencies);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // Not built, or not a manifest: the install below says what is wrong with it.
            return (null, []);
        }
    }

    private enum Installed
    {
        Done,
        WaitsForDependency,
    }

    private async Task<Installed> InstallOneAsync(string pluginDir, PublisherKey key, bool last, CancellationToken ct)
    {
        var dist = Path.Combine(pluginDir, "dist");
        if (!File.Exists(Path.Combine(dist, PackageReader.ManifestPath)))
        {
            return Installed.Done;
        }

        if (IsTestOnly(pluginDir) && !options.Value.InstallTestPlugins)
        {
            return Installed.Done;
        }

        var skipped = new List<string>();
        var contents = PackageWriter.CollectFolder(dist, skipped);
        if (skipped.Count > 0)
        {
            LogRejected(logger, Path.GetFileName(pluginDir), string.Join("; ", skipped));
            return Installed.Done;
        }

        if (await IsInstalledAsync(contents, ct))
        {
            // Nothing to stage: a start with unchanged example plugins writes nothing (so it
            // also works on a full disk).
            return Installed.Done;
        }

        var id = ManifestId(contents);
        var firstInstall = id is not null && !await db.PluginVersions.AsNoTracking().AnyAsync(p => p.PluginId == id, ct);
        using var package = new MemoryStream(PackageWriter.Write(contents, key), writable: false);
        var outcome = await store.ImportAsync(package, new ImportRequest(AuditActions.SystemActor, AllowRollback: false, DevBuildKeyId: key.KeyId), ct);
        if (outcome.Status == ImportStatus.Rejected)
        {
            if (!last && outcome.Problems.Count > 0 && outcome.Problems.All(p => p.Code == Core.Errors.ErrorCodes.DependencyMissing))
            {
                return Installed.WaitsForDependency;
            }

            LogRejected(logger, Path.GetFileName(pluginDir), string.Join("; ", outcome.Problems.Select(p => $"{p.Code} {p.Entry}{p.Pointer} {p.Message}")));
        }
        else if (firstInstall)
        {
            // The operator installs the examples by starting the host: what their services and
            // pages request (a dashboard's bus topic, a widget's call) is granted with them, once
            // and audited; an admin's later revoke is kept.
            await grants.GrantAllAsync(id!, AuditActions.SystemActor, ct);
        }

        return Installed.Done;
    }

    /// <summary>Whether the plugin's package.json says <c>"labyrinth": { "testOnly": true }</c> (e.g. the sandbox probe).</summary>
    public static bool IsTestOnly(string pluginDir)
    {
        var packageJson = Path.Combine(pluginDir, "package.json");
        if (!File.Exists(packageJson))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(packageJson));
            return doc.RootElement.ValueKind == JsonValueKind.Object
                   && doc.RootElement.TryGetProperty("labyrinth", out var labyrinth)
                   && labyrinth.ValueKind == JsonValueKind.Object
                   && labyrinth.TryGetProperty("testOnly", out var testOnly)
                   && testOnly.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            // npm would not build it either; treat it as an ordinary example.
            return false;
        }
    }

    /// <summary>
    /// Packs a built plugin folder with a SIGNATURE by <paramref name="key"/>, with the writer the
    /// CLI's <c>plugin pack</c> uses (build outputs .br/.gz and build-manifest.json left out).
    /// Files the folder walk refuses (symbolic links) are left out and refused by name in
    /// <paramref name="problems"/>.
    /// </summary>
    public static MemoryStream Pack(string dir, PublisherKey key, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(key);
        var contents = PackageWriter.CollectFolder(dir, problems);
        return new MemoryStream(PackageWriter.Write(contents, key), writable: false);
    }

    private static string? ManifestId(SortedDictionary<string, byte[]> contents)
    {
        if (!contents.TryGetValue(PackageReader.ManifestPath, out var manifestBytes))
        {
            return null;
        }

        try
        {
            using var manifest = JsonDocument.Parse(manifestBytes);
            return manifest.RootElement.ValueKind == JsonValueKind.Object && manifest.RootElement.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True when the manifest's id@version is installed with exactly these files (the digest the signature covers).</summary>
    private async Task<bool> IsInstalledAsync(SortedDictionary<string, byte[]> contents, CancellationToken ct)
    {
        if (!contents.TryGetValue(PackageReader.ManifestPath, out var manifestBytes))
        {
            return false;
        }

        string? id, version;
        try
        {
            using var manifest = System.Text.Json.JsonDocument.Parse(manifestBytes);
            id = manifest.RootElement.TryGetProperty("id", out var i) && i.ValueKind == System.Text.Json.JsonValueKind.String ? i.GetString() : null;
            version = manifest.RootElement.TryGetProperty("version", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // the import explains what is wrong with it
        }

        if (id is null || version is null)
        {
            return false;
        }

        var digest = Convert.ToHexStringLower(PackageDigest.Compute(contents.Select(c => PackageDigest.Describe(c.Key, c.Value))));
        return await db.PluginVersions.AsNoTracking().AnyAsync(p => p.PluginId == id && p.Version == version && p.Digest == digest, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Example plugin {Name} was not installed: {Problems}")]
    private static partial void LogRejected(ILogger logger, string name, string problems);
}
