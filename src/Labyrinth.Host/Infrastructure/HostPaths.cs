using Labyrinth.Core.Storage;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Infrastructure;

/// <summary>Resolves every on-disk location once, so no feature guesses paths on its own.</summary>
internal sealed class HostPaths
{
    public HostPaths(IOptions<LabyrinthOptions> options, IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(env);
        var o = options.Value;
        RepoRoot = FindRepoRoot(env.ContentRootPath) ?? FindRepoRoot(AppContext.BaseDirectory) ?? env.ContentRootPath;
        DataDir = Resolve(o.DataDir);
        WebRoot = Resolve(o.WebRoot ?? Path.Combine("web", "dist"));
        FrameRoot = Resolve(o.FrameRoot ?? Path.Combine("web", "frame", "dist"));
        ExamplePluginsDir = o.ExamplePluginsDir is "" ? null : Resolve(o.ExamplePluginsDir ?? "plugins");
        PluginStore = Path.Combine(DataDir, DataLayout.PluginsDirectory);
        DatabaseFile = DataLayout.DatabasePath(DataDir);
        KeysDir = Path.Combine(DataDir, DataLayout.KeysDirectory);
        DataProtectionDir = Path.Combine(KeysDir, "dataprotection");
        AssetsDir = Path.Combine(DataDir, DataLayout.AssetsDirectory);
        VariantCacheDir = Path.Combine(DataDir, DataLayout.CacheDirectory, "variants");
    }

    public string RepoRoot { get; }
    public string DataDir { get; }
    public string WebRoot { get; }
    public string FrameRoot { get; }
    public string? ExamplePluginsDir { get; }
    public string PluginStore { get; }
    public string DatabaseFile { get; }
    public string KeysDir { get; }

    /// <summary>The Data Protection key ring (cookies, vault); private to this OS user (<see cref="KeyRingRepository"/>).</summary>
    public string DataProtectionDir { get; }

    /// <summary>The File Registry's content-addressed store.</summary>
    public string AssetsDir { get; }

    /// <summary>Compressed variants of plugin files kept between starts; created on first use, never required (<see cref="Features.Plugins.CompressedVariants"/>).</summary>
    public string VariantCacheDir { get; }

    /// <summary>Every folder the host writes, parents first (checked at start by <see cref="DataDirectoryCheck"/>).</summary>
    public IReadOnlyList<string> WritableDirs => [DataDir, PluginStore, KeysDir, DataProtectionDir, AssetsDir];

    public void EnsureCreated()
    {
        foreach (var dir in WritableDirs)
        {
            Directory.CreateDirectory(dir);
        }
    }

    /// <summary>A configured path made absolute the way the data directory's is: relative to the repository root.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(RepoRoot, path));

    private static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Labyrinth.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
