using System.Globalization;
using System.IO.Compression;

namespace Labyrinth.Backup;

/// <summary>One thing wrong with a backup, naming the part: <c>archive</c>, <c>manifest</c>, <c>database</c>, <c>audit</c>, a key file, a blob or the restore target.</summary>
public sealed record BackupProblem(string Part, string Message);

/// <summary>
/// A backup archive opened for reading, with nothing in it trusted yet. <see cref="Open"/> checks
/// the structure the way the package reader checks a plugin: every name against
/// <see cref="BackupFormat.CheckEntryName"/> (no zip slip, absolute paths, backslashes or
/// non-ASCII), only regular unencrypted files (no symlinks), no duplicate or case-colliding names,
/// a manifest this version reads, every entry listed in it at the size it lists, and no more
/// declared content than deflate can produce from the archive's size (entries that alias the same
/// compressed bytes). Reading any entry later is bounded by the size the manifest lists.
/// </summary>
internal sealed class BackupArchive : IDisposable
{
    private const int UnixTypeMask = 0xF000;
    private const int UnixRegular = 0x8000;

    private readonly FileStream file;
    private readonly ZipArchive zip;
    private readonly Dictionary<string, ZipArchiveEntry> entries;

    private BackupArchive(FileStream file, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, BackupManifest manifest)
    {
        this.file = file;
        this.zip = zip;
        this.entries = entries;
        Manifest = manifest;
    }

    public BackupManifest Manifest { get; }

    public ZipArchiveEntry? Entry(string name) => entries.GetValueOrDefault(name);

    /// <summary>Opens and checks <paramref name="path"/>; null when a problem was added to <paramref name="problems"/>.</summary>
    public static BackupArchive? Open(string path, BackupLimits limits, List<BackupProblem> problems)
    {
        FileStream? file = null;
        ZipArchive? zip = null;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.RandomAccess);
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var archive = Check(file, zip, limits, problems);
            if (archive is not null)
            {
                file = null;
                zip = null;
            }

            return archive;
        }
        catch (InvalidDataException ex)
        {
            problems.Add(new("archive", $"The file is not a zip archive, or it is truncated or damaged: {ex.Message}"));
            return null;
        }
        finally
        {
            zip?.Dispose();
            file?.Dispose();
        }
    }

    private static BackupArchive? Check(FileStream file, ZipArchive zip, BackupLimits limits, List<BackupProblem> problems)
    {
        var all = zip.Entries;
        if (all.Count > limits.MaxEntries)
        {
            problems.Add(new("archive", Inv($"The archive has {all.Count} entries; a backup has at most {limits.MaxEntries}.")));
            return null;
        }

        var exact = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var folded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in all)
        {
            var name = entry.FullName;
            var shown = Printable(name);
            if (BackupFormat.CheckEntryName(name) is { } nameProblem)
            {
                problems.Add(new("archive", $"Entry \"{shown}\": {nameProblem}"));
                continue;
            }

            var unixType = (entry.ExternalAttributes >> 16) & UnixTypeMask;
            if (unixType != 0 && unixType != UnixRegular)
            {
                problems.Add(new("archive", $"Entry \"{shown}\" is a symbolic link or another special file; a backup holds regular files only."));
                continue;
            }

            if (entry.IsEncrypted)
            {
                problems.Add(new("archive", $"Entry \"{shown}\" is encrypted; a backup's entries never are."));
                continue;
            }

            if (!IsKnownPlace(name))
            {
                problems.Add(new("archive", $"Entry \"{shown}\" is not part of a Labyrinth backup (only manifest.json, database/, keys/ and blobs/<sha256>)."));
                continue;
            }

            if (exact.ContainsKey(name))
            {
                problems.Add(new("archive", $"Entry \"{shown}\" appears more than once."));
                continue;
            }

            if (folded.TryGetValue(name, out var other))
            {
                problems.Add(new("archive", $"Entry \"{shown}\" differs only in case from \"{Printable(other)}\"."));
                continue;
            }

            if (entry.Length > (entry.CompressedLength * limits.MaxExpansionRatio) + 1024)
            {
                problems.Add(new("archive", Inv($"Entry \"{shown}\" claims {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce.")));
                continue;
            }

            exact[name] = entry;
            folded[name] = name;
        }

        if (problems.Count > 0)
        {
            return null;
        }

        var manifest = ReadManifest(exact, limits, problems);
        if (manifest is null)
        {
            return null;
        }

        var listed = new Dictionary<string, long>(StringComparer.Ordinal) { [manifest.Database.Entry] = manifest.Database.Bytes };
        foreach (var key in manifest.Keys)
        {
            listed[key.Entry] = key.Bytes;
        }

        foreach (var blob in manifest.Blobs)
        {
            listed[BackupFormat.BlobEntry(blob.Sha256)] = blob.Bytes;
        }

        foreach (var (name, entry) in exact)
        {
            if (name == BackupFormat.ManifestEntry)
            {
                continue;
            }

            if (!listed.TryGetValue(name, out var bytes))
            {
                problems.Add(new("archive", $"Entry \"{name}\" is not listed in the manifest."));
            }
            else if (entry.Length != bytes)
            {
                problems.Add(new(PartName(name), Inv($"{Describe(name)} holds {entry.Length} bytes but the manifest lists {bytes}.")));
            }
        }

        var declared = manifest.TotalBytes;
        if (declared / limits.MaxExpansionRatio > Math.Max(file.Length, 64 * 1024))
        {
            problems.Add(new("archive", Inv($"The manifest lists {declared} bytes of content in a {file.Length}-byte archive, more than deflate can produce: entries share compressed data (a zip bomb).")));
        }

        return problems.Count > 0 ? null : new BackupArchive(file, zip, exact, manifest);
    }

    private static BackupManifest? ReadManifest(Dictionary<string, ZipArchiveEntry> entries, BackupLimits limits, List<BackupProblem> problems)
    {
        if (!entries.TryGetValue(BackupFormat.ManifestEntry, out var entry))
        {
            problems.Add(new("manifest", "The archive has no manifest.json: it is not a Labyrinth backup, or it is incomplete."));
            return null;
        }

        if (entry.Length > limits.MaxManifestBytes)
        {
            problems.Add(new("manifest", Inv($"manifest.json is {entry.Length} bytes; a manifest is at most {limits.MaxManifestBytes}.")));
            return null;
        }

        var bytes = new byte[entry.Length];
        using (var stream = entry.Open())
        {
            // One byte more than the directory says would show the entry lying about its size.
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length || stream.ReadByte() != -1)
            {
                problems.Add(new("manifest", "manifest.json is damaged: its size does not match the archive's directory."));
                return null;
            }
        }

        var manifest = BackupManifest.Parse(bytes, out var problem);
        if (manifest is null)
        {
            problems.Add(new("manifest", problem!));
        }

        return manifest;
    }

    /// <summary>What an entry name refers to, as a part name in problems.</summary>
    public static string PartName(string entry) => entry.StartsWith(BackupFormat.BlobsDirectory, StringComparison.Ordinal)
        ? "blob " + entry[BackupFormat.BlobsDirectory.Length..]
        : entry.StartsWith(BackupFormat.DatabaseDirectory, StringComparison.Ordinal) ? "database" : entry;

    private static string Describe(string entry) => entry.StartsWith(BackupFormat.BlobsDirectory, StringComparison.Ordinal)
        ? "Blob " + entry[BackupFormat.BlobsDirectory.Length..]
        : entry.StartsWith(BackupFormat.DatabaseDirectory, StringComparison.Ordinal) ? $"The database ({entry})" : $"Key file {entry}";

    private static bool IsKnownPlace(string name) =>
        name == BackupFormat.ManifestEntry ||
        (name.StartsWith(BackupFormat.DatabaseDirectory, StringComparison.Ordinal) && name.Length > BackupFormat.DatabaseDirectory.Length) ||
        (name.StartsWith(BackupFormat.KeysDirectory, StringComparison.Ordinal) && name.Length > BackupFormat.KeysDirectory.Length) ||
        (name.StartsWith(BackupFormat.BlobsDirectory, StringComparison.Ordinal) && BackupFormat.IsSha256(name[BackupFormat.BlobsDirectory.Length..]));

    /// <summary>An entry name as it can be shown: control characters escaped, long names cut.</summary>
    private static string Printable(string name)
    {
        var shown = string.Concat(name.Take(120).Select(c => char.IsControl(c) ? Inv($"\\u{(int)c:x4}") : c.ToString()));
        return name.Length > 120 ? shown + "…" : shown;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        zip.Dispose();
        file.Dispose();
    }
}
