using System.IO.Compression;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Features.Packages;

/// <summary>The outcome of <see cref="PackageWriter.Pack"/>: the zip bytes and manifest, or every problem found.</summary>
internal sealed record PackResult(byte[] Bytes, PluginManifest? Manifest, int FileCount, string? KeyId, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0 && Manifest is not null;
}

/// <summary>
/// Packs a built plugin folder into a <c>.labyrinthplugin</c>. The zip is deterministic (sorted
/// entries, fixed timestamps and attributes, Deflate) so the same folder always gives the same
/// bytes, and a rebuilt package with unchanged files is not refused as "same version, different
/// bytes". The result is read back with <see cref="PackageReader"/> before it is returned, so pack
/// refuses exactly what a host would refuse, with the host's own sentences.
/// </summary>
internal static class PackageWriter
{
    public const string Extension = ".labyrinthplugin";

    /// <summary>Build output that is not part of the plugin: the bundler's manifest and precompressed siblings.</summary>
    private const string BuildManifest = "build-manifest.json";

    // 2000-01-01: any fixed value works; DOS timestamps cannot go below 1980.
    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Regular file, rw-r--r--: recorded explicitly so the bytes do not depend on the packer's umask.
    private const int RegularFileAttributes = (0x8000 | 0b110_100_100) << 16;

    public static PackResult Pack(string sourceDirectory, PublisherKey? key)
    {
        ArgumentNullException.ThrowIfNull(sourceDirectory);
        var root = Path.GetFullPath(sourceDirectory);
        if (!Directory.Exists(root))
        {
            throw new CliException(ExitCodes.Usage, $"The plugin folder \"{sourceDirectory}\" does not exist.");
        }

        var problems = new List<string>();
        var files = CollectFiles(root, problems);
        return Build(files, key, problems);
    }

    /// <summary>Packs files already in memory (used by sign, which re-packs an extracted package).</summary>
    public static PackResult Build(IReadOnlyDictionary<string, byte[]> files, PublisherKey? key, List<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        problems ??= [];
        var entries = files.Where(f => f.Key != PackageReader.SignaturePath).ToDictionary(StringComparer.Ordinal);
        if (key is not null)
        {
            entries[PackageReader.SignaturePath] = PackageSignature.Sign(
                entries.Select(f => PackageDigest.Describe(f.Key, f.Value)), key);
        }

        var bytes = WriteZip(entries);
        var manifest = CheckAsHostWould(bytes, problems);
        return new PackResult(bytes, manifest, entries.Count, key?.KeyId, problems);
    }

    public static byte[] WriteZip(IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = FixedTimestamp;
                entry.ExternalAttributes = RegularFileAttributes;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Writes next to the target and renames, so a failed write never leaves half a package.</summary>
    public static void WriteFileAtomically(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Walks the folder without following links: a symlink (to a file or a folder) is reported,
    /// never packed, because following it could pull in files from outside the plugin.
    /// </summary>
    private static SortedDictionary<string, byte[]> CollectFiles(string root, List<string> problems)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            foreach (var item in pending.Pop().EnumerateFileSystemInfos())
            {
                var relative = Path.GetRelativePath(root, item.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (item.LinkTarget is { } target)
                {
                    problems.Add($"{relative}: symbolic links are not allowed (it points to \"{target}\").");
                }
                else if (item is DirectoryInfo directory)
                {
                    pending.Push(directory);
                }
                else if (IsBuildOutput(relative))
                {
                    continue;
                }
                else if (!IsRegularFile(item))
                {
                    problems.Add($"{relative}: only regular files can be packed.");
                }
                else
                {
                    files[relative] = File.ReadAllBytes(item.FullName);
                }
            }
        }

        return files;
    }

    private static bool IsRegularFile(FileSystemInfo item) =>
        (item.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0;

    private static bool IsBuildOutput(string relative) =>
        relative == BuildManifest ||
        relative == PackageReader.SignaturePath ||
        relative.EndsWith(".br", StringComparison.OrdinalIgnoreCase) ||
        relative.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    private static PluginManifest? CheckAsHostWould(byte[] bytes, List<string> problems)
    {
        var extractDirectory = Directory.CreateTempSubdirectory("labyrinth-pack-");
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var read = PackageReader.Read(stream, extractDirectory.FullName);
            problems.AddRange(read.Problems.Select(p => p.Message));
            if (!read.IsValid)
            {
                return null;
            }

            var paths = read.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var validation = ManifestValidator.Validate(read.ManifestBytes, paths);
            problems.AddRange(validation.Problems.Select(FormatPointerProblem));
            return validation.IsValid ? validation.Manifest : null;
        }
        finally
        {
            extractDirectory.Delete(recursive: true);
        }
    }

    public static string FormatPointerProblem(Core.Errors.PointerProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return $"manifest.json{(problem.Pointer.Length == 0 ? "" : " " + problem.Pointer)}: {problem.Message}";
    }
}
