using System.IO.Compression;
using Labyrinth.Core.Signing;

namespace Labyrinth.Core.Packages;

/// <summary>
/// The one writer of <c>.labyrinthplugin</c> packages (the CLI's <c>plugin pack</c>/<c>sign</c>
/// and the host's example plugins). The zip is deterministic — entries sorted by ordinal path,
/// fixed timestamps and attributes, Deflate — so the same files always give the same bytes and a
/// rebuilt package with unchanged files is not refused as "same version, different bytes". It
/// writes only what <see cref="PackageReader"/> accepts: entries back to back from offset 0, no
/// data descriptors, no extra fields, no comments.
/// </summary>
public static class PackageWriter
{
    public const string Extension = ".labyrinthplugin";

    /// <summary>Build output that is not part of the plugin: the bundler's manifest.</summary>
    public const string BuildManifest = "build-manifest.json";

    // 2000-01-01: any fixed value works; DOS timestamps cannot go below 1980.
    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Regular file, rw-r--r--: recorded explicitly so the bytes do not depend on the packer's umask.
    private const int RegularFileAttributes = (0x8000 | 0b110_100_100) << 16;

    /// <summary>
    /// Zips <paramref name="files"/> (package path → bytes). With <paramref name="key"/> a
    /// SIGNATURE over the other files replaces any SIGNATURE among them.
    /// </summary>
    public static byte[] Write(IReadOnlyDictionary<string, byte[]> files, PublisherKey? key = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var entries = files.Where(f => f.Key != PackageReader.SignaturePath || key is null).ToDictionary(StringComparer.Ordinal);
        if (key is not null)
        {
            entries[PackageReader.SignaturePath] = PackageSignature.Sign(entries.Select(f => PackageDigest.Describe(f.Key, f.Value)), key);
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in entries.OrderBy(f => f.Key, StringComparer.Ordinal))
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

    /// <summary>
    /// The files of a built plugin folder, by package path, without following links: a symlink
    /// (to a file or a folder) is reported in <paramref name="problems"/>, never packed, because
    /// following it could pull in files from outside the plugin. Build output that is not part of
    /// the plugin (build-manifest.json, precompressed .br/.gz siblings, an old SIGNATURE) is skipped.
    /// </summary>
    public static SortedDictionary<string, byte[]> CollectFolder(string folder, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(problems);
        var root = Path.GetFullPath(folder);
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
                else if ((item.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
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

    private static bool IsBuildOutput(string relative) =>
        relative == BuildManifest ||
        relative == PackageReader.SignaturePath ||
        relative.EndsWith(".br", StringComparison.OrdinalIgnoreCase) ||
        relative.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
}
