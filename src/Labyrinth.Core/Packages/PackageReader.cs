using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Plugins;

namespace Labyrinth.Core.Packages;

/// <summary>
/// Reads an untrusted <c>.labyrinthplugin</c> zip into an empty directory. Every rule is checked
/// on what the bytes actually are, not on what the headers claim: names are decoded from raw
/// bytes, sizes and CRCs are counted while inflating, and entries that alias the same compressed
/// bytes are refused. A read that finds any problem leaves the directory empty.
/// </summary>
public static class PackageReader
{
    public const string ManifestPath = "manifest.json";
    public const string SignaturePath = "SIGNATURE";

    private static readonly HashSet<string> AllowedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".js", ".mjs", ".css", ".html", ".json", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp",
        ".avif", ".ico", ".woff", ".woff2", ".txt", ".md", ".wasm", ".glb", ".gltf",
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private const int UnixSymlink = 0xA000;
    private const int UnixRegular = 0x8000;
    private const int UnixDirectory = 0x4000;
    private const ushort FlagEncrypted = 0x0001;
    private const ushort FlagStrongEncryption = 0x0040;

    /// <summary>
    /// Reads <paramref name="package"/> and extracts it into <paramref name="extractDirectory"/>,
    /// which must exist and be empty. The caller owns (and deletes) the directory either way.
    /// </summary>
    public static PackageReadResult Read(Stream package, string extractDirectory, PackageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(extractDirectory);
        limits ??= PackageLimits.Default;
        var root = Path.GetFullPath(extractDirectory);
        if (!Directory.Exists(root) || Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArgumentException("The extraction directory must exist and be empty.", nameof(extractDirectory));
        }

        PackageReadResult result;
        try
        {
            result = ReadCore(package, root, limits);
        }
        catch
        {
            EmptyDirectory(root);
            throw;
        }

        if (!result.IsValid)
        {
            EmptyDirectory(root);
        }

        return result;
    }

    private static PackageReadResult ReadCore(Stream package, string root, PackageLimits limits)
    {
        var archive = ReadBounded(package, limits.MaxCompressedBytes);
        if (archive is null)
        {
            return Fail(new(ErrorCodes.PackageTooLarge, null, Inv($"The package is larger than {limits.MaxCompressedBytes} bytes.")));
        }

        var directory = ZipCentralDirectory.Read(archive, limits.MaxEntries, out var fatal);
        if (directory is null)
        {
            return Fail(fatal!);
        }

        var problems = new EntryProblems();
        var entries = new List<Candidate>();
        foreach (var record in directory.Entries)
        {
            var candidate = Inspect(archive, directory, record, problems);
            if (candidate is not null)
            {
                entries.Add(candidate);
            }
        }

        CheckNameCollisions(entries, problems);
        CheckOverlaps(entries, problems);
        var archiveProblems = CheckDeclaredTotals(entries, limits, problems);
        if (problems.Count > 0 || archiveProblems.Count > 0)
        {
            return PackageReadResult.Failed([.. problems.Ordered(), .. archiveProblems]);
        }

        return Extract(archive, entries, root, limits);
    }

    /// <summary>A record that passed the per-entry checks, with its decoded name and local header.</summary>
    private sealed record Candidate(ZipEntryRecord Record, string Name, bool IsDirectory, ZipLocalHeader Local);

    private static Candidate? Inspect(byte[] archive, ZipDirectory directory, ZipEntryRecord record, EntryProblems problems)
    {
        string name;
        try
        {
            name = StrictUtf8.GetString(record.RawName);
        }
        catch (DecoderFallbackException)
        {
            problems.Add(record.Index, new(ErrorCodes.PackageInvalidName, null,
                Inv($"Entry #{record.Index + 1} has a name that is not valid UTF-8 (bytes {Convert.ToHexString(record.RawName)}).")));
            return null;
        }

        Candidate? Fatal(string code, string sentence)
        {
            problems.Add(record.Index, new(code, name, $"Entry \"{name}\": {sentence}"));
            return null;
        }

        // Zip tools add "dir/" records; they carry no data, so they are accepted and not extracted.
        var isDirectory = name.EndsWith('/');
        var path = isDirectory ? name[..^1] : name;
        if (PluginPath.Check(path) is { } pathError)
        {
            return Fatal(ErrorCodes.PackageInvalidName, pathError);
        }

        var fileType = record.UnixFileType;
        if (fileType == UnixSymlink)
        {
            return Fatal(ErrorCodes.PackageSymlink, "symbolic links are not allowed in a package.");
        }

        if (fileType != 0 && fileType != UnixRegular && fileType != UnixDirectory)
        {
            return Fatal(ErrorCodes.PackageSymlink, Inv($"only regular files are allowed (Unix file type 0x{fileType:X4})."));
        }

        if ((record.Flags & (FlagEncrypted | FlagStrongEncryption)) != 0)
        {
            return Fatal(ErrorCodes.PackageUnsupported, "encrypted entries are not supported.");
        }

        if (record.Method is not (ZipEntryRecord.MethodStored or ZipEntryRecord.MethodDeflate))
        {
            return Fatal(ErrorCodes.PackageUnsupported, Inv($"compression method {record.Method} is not supported (only stored and deflate)."));
        }

        if (record.CompressedSize == uint.MaxValue || record.UncompressedSize == uint.MaxValue)
        {
            return Fatal(ErrorCodes.PackageUnsupported, "zip64 entries are not supported.");
        }

        if (record.DiskStart != 0)
        {
            return Fatal(ErrorCodes.PackageUnsupported, "the entry starts on another disk of a spanned archive.");
        }

        if (isDirectory ? record.UncompressedSize != 0 : !HasAllowedName(path))
        {
            return Fatal(ErrorCodes.PackageExtensionNotAllowed, isDirectory
                ? "a directory entry must not carry data."
                : "the file type is not allowed (allowed: " + string.Join(' ', AllowedExtensions.Order(StringComparer.Ordinal)) + ", manifest.json, SIGNATURE).");
        }

        if (record.Method == ZipEntryRecord.MethodStored && record.CompressedSize != record.UncompressedSize)
        {
            return Fatal(ErrorCodes.PackageSizeMismatch, Inv($"a stored entry declares {record.CompressedSize} stored bytes but {record.UncompressedSize} bytes of content."));
        }

        var local = ZipCentralDirectory.ReadLocalHeader(archive, record, directory.CentralDirectoryOffset, out var localError);
        if (local is null)
        {
            return Fatal(ErrorCodes.PackageMalformed, localError + ".");
        }

        if (!local.RawName.AsSpan().SequenceEqual(record.RawName))
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, "the name in its local header differs from the central directory.");
        }

        if (local.Method != record.Method || (local.Flags & (FlagEncrypted | FlagStrongEncryption)) != 0)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, "the compression method or flags in its local header differ from the central directory.");
        }

        return new Candidate(record, path, isDirectory, local);
    }

    private static bool HasAllowedName(string path)
    {
        if (path is ManifestPath or SignaturePath)
        {
            return true;
        }

        var lastSegment = path[(path.LastIndexOf('/') + 1)..];
        var dot = lastSegment.LastIndexOf('.');
        return dot >= 0 && AllowedExtensions.Contains(lastSegment[dot..]);
    }

    /// <summary>
    /// Refuses exact duplicates and names that differ only in case or Unicode normalisation: on
    /// a case-insensitive or normalising file system they would overwrite each other, so what is
    /// verified would not be what is served.
    /// </summary>
    private static void CheckNameCollisions(List<Candidate> entries, EntryProblems problems)
    {
        var exact = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var folded = new Dictionary<string, Candidate>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var key = entry.Name.Normalize(NormalizationForm.FormC);
            if (exact.TryGetValue(entry.Name, out var same))
            {
                problems.Add(entry.Record.Index, new(ErrorCodes.PackageDuplicateName, entry.Name,
                    $"Entry \"{entry.Name}\": the name appears more than once (first as entry #{same.Record.Index + 1})."));
                continue;
            }

            exact[entry.Name] = entry;
            if (folded.TryGetValue(key, out var other) && !(other.IsDirectory && entry.IsDirectory && other.Name == entry.Name))
            {
                problems.Add(entry.Record.Index, new(ErrorCodes.PackageDuplicateName, entry.Name,
                    $"Entry \"{entry.Name}\": the name differs only in case or Unicode form from \"{other.Name}\"."));
                continue;
            }

            folded[key] = entry;
        }

        // A file named like a directory another entry lives in cannot be extracted faithfully.
        var files = entries.Where(e => !e.IsDirectory).Select(e => e.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            for (var slash = entry.Name.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = entry.Name.IndexOf('/', slash + 1))
            {
                var parent = entry.Name[..slash];
                if (files.Contains(parent))
                {
                    problems.Add(entry.Record.Index, new(ErrorCodes.PackageDuplicateName, entry.Name,
                        $"Entry \"{entry.Name}\": its folder \"{parent}\" is also a file in the package."));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Refuses entries whose local header + data ranges overlap. Overlap is how an aliasing zip
    /// bomb makes many entries inflate the same compressed bytes.
    /// </summary>
    private static void CheckOverlaps(List<Candidate> entries, EntryProblems problems)
    {
        Candidate? previous = null;
        long previousEnd = 0;
        foreach (var entry in entries.OrderBy(e => e.Record.LocalHeaderOffset).ThenBy(e => e.Record.Index))
        {
            var start = (long)entry.Record.LocalHeaderOffset;
            var end = entry.Local.DataOffset + entry.Record.CompressedSize;
            if (previous is not null && start < previousEnd)
            {
                problems.Add(entry.Record.Index, new(ErrorCodes.PackageOverlappingEntries, entry.Name,
                    $"Entry \"{entry.Name}\": its bytes overlap those of entry \"{previous.Name}\"."));
            }

            if (end > previousEnd)
            {
                previous = entry;
                previousEnd = end;
            }
        }
    }

    /// <summary>Cheap early refusals from declared sizes; the real limits are enforced again on counted bytes.</summary>
    private static List<PackageProblem> CheckDeclaredTotals(List<Candidate> entries, PackageLimits limits, EntryProblems problems)
    {
        var archiveProblems = new List<PackageProblem>();
        var declaredTotal = entries.Sum(e => (long)e.Record.UncompressedSize);
        if (declaredTotal > limits.MaxExpandedBytes)
        {
            archiveProblems.Add(new(ErrorCodes.PackageTooLarge, null,
                Inv($"The package declares {declaredTotal} bytes of content; the limit is {limits.MaxExpandedBytes} bytes.")));
        }

        foreach (var entry in entries)
        {
            var cap = CapFor(entry.Name, limits);
            if (cap is not null && entry.Record.UncompressedSize > cap)
            {
                problems.Add(entry.Record.Index, TooLargeSpecial(entry.Name, entry.Record.UncompressedSize, cap.Value));
            }
        }

        if (!entries.Any(e => e.Name == ManifestPath && !e.IsDirectory))
        {
            archiveProblems.Add(new(ErrorCodes.PackageManifestMissing, null, "The package has no manifest.json at its root."));
        }

        return archiveProblems;
    }

    private static int? CapFor(string name, PackageLimits limits) => name switch
    {
        ManifestPath => limits.MaxManifestBytes,
        SignaturePath => limits.MaxSignatureBytes,
        _ => null,
    };

    private static PackageProblem TooLargeSpecial(string name, long size, int cap) =>
        new(name == ManifestPath ? ErrorCodes.PackageManifestTooLarge : ErrorCodes.PackageTooLarge, name,
            Inv($"Entry \"{name}\": it is {size} bytes; the limit is {cap} bytes."));

    private static PackageReadResult Extract(byte[] archive, List<Candidate> entries, string root, PackageLimits limits)
    {
        var problems = new EntryProblems();
        var files = new List<PackageFile>();
        byte[] manifest = [];
        byte[]? signature = null;
        long expanded = 0;
        var buffer = new byte[81920];

        foreach (var entry in entries.Where(e => !e.IsDirectory))
        {
            var record = entry.Record;
            var target = Path.GetFullPath(Path.Combine(root, entry.Name.Replace('/', Path.DirectorySeparatorChar)));
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                // Unreachable after PluginPath.Check; kept so a future rule change cannot write outside root.
                problems.Add(record.Index, new(ErrorCodes.PackageInvalidName, entry.Name, $"Entry \"{entry.Name}\": the path leaves the package."));
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var cap = CapFor(entry.Name, limits);
            var kept = cap is null ? null : new MemoryStream();
            var crc = new Crc32();
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long produced = 0;
            PackageProblem? problem = null;

            // The sub-stream ends exactly at the declared compressed size, so inflation can never
            // read another entry's bytes or the central directory.
            using (var source = new MemoryStream(archive, checked((int)entry.Local.DataOffset), checked((int)record.CompressedSize), writable: false))
            using (var input = record.Method == ZipEntryRecord.MethodDeflate ? new DeflateStream(source, CompressionMode.Decompress) : (Stream)source)
            using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                try
                {
                    int read;
                    while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        produced += read;
                        if (produced > (long)record.CompressedSize * limits.MaxRatio)
                        {
                            problem = Entry(ErrorCodes.PackageRatioExceeded, entry.Name,
                                Inv($"it inflates to more than {limits.MaxRatio} times its {record.CompressedSize} compressed bytes."));
                            break;
                        }

                        if (produced > record.UncompressedSize)
                        {
                            problem = Entry(ErrorCodes.PackageSizeMismatch, entry.Name,
                                Inv($"it inflates past its declared size of {record.UncompressedSize} bytes."));
                            break;
                        }

                        if (expanded + produced > limits.MaxExpandedBytes)
                        {
                            problem = new(ErrorCodes.PackageTooLarge, entry.Name,
                                Inv($"Entry \"{entry.Name}\": the package expands past the limit of {limits.MaxExpandedBytes} bytes."));
                            break;
                        }

                        var chunk = buffer.AsSpan(0, read);
                        crc.Append(chunk);
                        sha.AppendData(chunk);
                        output.Write(chunk);
                        kept?.Write(chunk);
                    }
                }
                catch (InvalidDataException)
                {
                    problem = Entry(ErrorCodes.PackageMalformed, entry.Name, "its compressed data is corrupt.");
                }
            }

            if (problem is null && produced != record.UncompressedSize)
            {
                problem = Entry(ErrorCodes.PackageSizeMismatch, entry.Name,
                    Inv($"it inflates to {produced} bytes but declares {record.UncompressedSize}."));
            }

            if (problem is null && crc.Value != record.Crc32)
            {
                problem = Entry(ErrorCodes.PackageCrcMismatch, entry.Name,
                    Inv($"its CRC-32 is {crc.Value:x8} but the archive declares {record.Crc32:x8}."));
            }

            if (problem is not null)
            {
                problems.Add(record.Index, problem);
                if (problem.Code == ErrorCodes.PackageTooLarge)
                {
                    break; // the whole package is over the cap; inflating more proves nothing
                }

                continue;
            }

            expanded += produced;
            files.Add(new PackageFile(entry.Name, Convert.ToHexStringLower(sha.GetHashAndReset()), produced));
            if (entry.Name == ManifestPath)
            {
                manifest = kept!.ToArray();
            }
            else if (entry.Name == SignaturePath)
            {
                signature = kept!.ToArray();
            }
        }

        return problems.Count > 0
            ? PackageReadResult.Failed(problems.Ordered())
            : new PackageReadResult(files, manifest, signature, []);
    }

    private static PackageProblem Entry(string code, string name, string sentence) => new(code, name, $"Entry \"{name}\": {sentence}");

    /// <summary>Reads at most <paramref name="max"/> bytes; null when the stream holds more.</summary>
    private static byte[]? ReadBounded(Stream package, long max)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = package.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + read > max)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    private static void EmptyDirectory(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            Directory.Delete(dir, recursive: true);
        }

        foreach (var file in Directory.EnumerateFiles(root))
        {
            File.Delete(file);
        }
    }

    private static PackageReadResult Fail(PackageProblem problem) => PackageReadResult.Failed([problem]);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Keeps the first problem per entry, reported in central directory order.</summary>
    private sealed class EntryProblems
    {
        private readonly SortedDictionary<int, PackageProblem> _byEntry = [];

        public int Count => _byEntry.Count;

        public void Add(int index, PackageProblem problem) => _byEntry.TryAdd(index, problem);

        public List<PackageProblem> Ordered() => [.. _byEntry.Values];
    }
}
