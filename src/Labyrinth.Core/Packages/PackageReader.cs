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
    private const ushort FlagMaskedHeaders = 0x2000;
    private const ushort FlagUtf8 = 0x0800;

    /// <summary>Deflate options (bits 1–2), data descriptor (bit 3) and UTF-8 names (bit 11): the only flags a package may set.</summary>
    private const ushort KnownFlags = 0x0002 | 0x0004 | 0x0008 | FlagUtf8;

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
        var archiveProblems = new List<PackageProblem>();
        if (problems.Count == 0)
        {
            // The layout is only meaningful once every entry's local header has been read.
            CheckLayout(entries, directory.CentralDirectoryOffset, problems, archiveProblems);
        }

        archiveProblems.AddRange(CheckDeclaredTotals(entries, limits, problems));
        if (problems.Count > 0 || archiveProblems.Count > 0)
        {
            return PackageReadResult.Failed([.. problems.Ordered(), .. archiveProblems]);
        }

        return Extract(archive, entries, root, limits);
    }

    /// <summary>A record that passed the per-entry checks, with its decoded name and local header.</summary>
    private sealed record Candidate(ZipEntryRecord Record, string Name, bool IsDirectory, ZipLocalHeader Local)
    {
        public string Label => Inv($"Entry {Record.Number} ({Name})");
    }

    /// <summary>
    /// The per-entry rules, in the order a reader meets them: the name, the file type, the flags
    /// and method, the extra fields, then the local header (and data descriptor), which must say
    /// exactly what the central directory says, so a streaming reader that walks local headers
    /// and a reader that trusts the central directory see the same entry.
    /// </summary>
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
                Inv($"Entry {record.Number} (bytes {Convert.ToHexString(record.RawName)}): its name is not valid UTF-8.")));
            return null;
        }

        Candidate? Fatal(string code, string sentence)
        {
            problems.Add(record.Index, new(code, name, Inv($"Entry {record.Number} ({name}): {sentence}")));
            return null;
        }

        if ((record.Flags & FlagUtf8) == 0 && !Ascii.IsValid(record.RawName))
        {
            return Fatal(ErrorCodes.PackageInvalidName,
                "its name is not ASCII but the UTF-8 flag (bit 11) is not set, so other readers decode it as code page 437 and see a different name.");
        }

        // Zip tools add "dir/" records; they carry no data, so they are accepted and not extracted.
        var isDirectory = name.EndsWith('/');
        var path = isDirectory ? name[..^1] : name;
        if (PluginPath.Check(path) is { } pathError)
        {
            return Fatal(ErrorCodes.PackageInvalidName, "its name is not allowed. " + pathError);
        }

        var fileType = record.UnixFileType;
        if (fileType == UnixSymlink)
        {
            return Fatal(ErrorCodes.PackageSymlink, "it is a symbolic link (Unix file type 0xA000 in its external attributes); packages hold regular files only.");
        }

        if (fileType != 0 && fileType != UnixRegular && fileType != UnixDirectory)
        {
            return Fatal(ErrorCodes.PackageSymlink, Inv($"it is not a regular file (Unix file type 0x{fileType:X4} in its external attributes); packages hold regular files only."));
        }

        if (isDirectory ? fileType == UnixRegular : fileType == UnixDirectory || record.DosDirectory)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, isDirectory
                ? "its name ends in \"/\" (a folder) but its attributes say regular file."
                : "its attributes say folder but its name does not end in \"/\"; readers would disagree on whether it is a file.");
        }

        if ((record.Flags & (FlagEncrypted | FlagStrongEncryption | FlagMaskedHeaders)) != 0)
        {
            return Fatal(ErrorCodes.PackageUnsupported, Inv($"it is encrypted (flags 0x{record.Flags:X4}); packages are never encrypted."));
        }

        if ((record.Flags & ~KnownFlags) != 0)
        {
            return Fatal(ErrorCodes.PackageUnsupported, Inv($"it sets flag bits 0x{record.Flags & ~KnownFlags:X4}, which this reader does not support (only deflate options 0x0006, data descriptor 0x0008 and UTF-8 names 0x0800)."));
        }

        if (record.Method is not (ZipEntryRecord.MethodStored or ZipEntryRecord.MethodDeflate))
        {
            return Fatal(ErrorCodes.PackageUnsupported, Inv($"compression method {record.Method} is not supported (only 0, stored, and 8, deflate)."));
        }

        if (record.CompressedSize == uint.MaxValue || record.UncompressedSize == uint.MaxValue || record.LocalHeaderOffset == uint.MaxValue)
        {
            return Fatal(ErrorCodes.PackageUnsupported, "its central directory record uses zip64 placeholders (0xFFFFFFFF); packages are plain zip.");
        }

        if (record.DiskStart != 0)
        {
            return Fatal(ErrorCodes.PackageUnsupported, Inv($"it starts on disk {record.DiskStart} of a spanned archive."));
        }

        if (ZipCentralDirectory.CheckExtraField(record.Extra, "central") is { } extraError)
        {
            return Fatal(ErrorCodes.PackageUnsupported, extraError + ".");
        }

        if (ZipCentralDirectory.FindSignature(record.Comment) is { } hidden)
        {
            return Fatal(ErrorCodes.PackageMalformed, $"its comment holds a zip record signature ({ZipCentralDirectory.SignatureName(hidden.Signature)}), where a reader that scans for records would find one.");
        }

        if (isDirectory ? record.UncompressedSize != 0 || record.CompressedSize != 0 : !HasAllowedName(path))
        {
            return Fatal(ErrorCodes.PackageExtensionNotAllowed, isDirectory
                ? "a folder entry must not carry data."
                : "the file type is not allowed (allowed: " + string.Join(' ', AllowedExtensions.Order(StringComparer.Ordinal)) + ", manifest.json, SIGNATURE).");
        }

        var hasDescriptor = (record.Flags & ZipCentralDirectory.FlagDataDescriptor) != 0;
        if (record.Method == ZipEntryRecord.MethodStored)
        {
            if (record.CompressedSize != record.UncompressedSize)
            {
                return Fatal(ErrorCodes.PackageSizeMismatch, Inv($"it is stored (not compressed) but declares {record.CompressedSize} stored bytes and {record.UncompressedSize} bytes of content."));
            }

            if (hasDescriptor)
            {
                return Fatal(ErrorCodes.PackageUnsupported, "it is stored with a data descriptor (flag bit 3), so a streaming reader cannot tell where its data ends.");
            }
        }
        else if (record.CompressedSize == 0 && !isDirectory)
        {
            return Fatal(ErrorCodes.PackageMalformed, "it is deflated but has no compressed bytes (an empty file is stored, method 0).");
        }

        var local = ZipCentralDirectory.ReadLocalHeader(archive, record, directory.CentralDirectoryOffset, out var localError);
        if (local is null)
        {
            return Fatal(ErrorCodes.PackageMalformed, localError + ".");
        }

        if (!local.RawName.AsSpan().SequenceEqual(record.RawName))
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, Inv($"its local header names it \"{LocalName(local.RawName)}\" but the central directory names it \"{name}\"."));
        }

        if (local.Flags != record.Flags)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, Inv($"its local header has flags 0x{local.Flags:X4} but the central directory says 0x{record.Flags:X4}."));
        }

        if (local.Method != record.Method)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, Inv($"its local header says compression method {local.Method} but the central directory says {record.Method}."));
        }

        if (ZipCentralDirectory.CheckExtraField(local.Extra, "local") is { } localExtraError)
        {
            return Fatal(ErrorCodes.PackageUnsupported, localExtraError + ".");
        }

        // With a data descriptor the local header may leave CRC and sizes at zero (they were not
        // known when it was written); the descriptor then carries them.
        var localDeferred = hasDescriptor && local.Crc32 == 0 && local.CompressedSize == 0 && local.UncompressedSize == 0;
        if (!localDeferred && Disagreement("local header", local.Crc32, local.CompressedSize, local.UncompressedSize, record) is { } localMismatch)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, localMismatch);
        }

        if (local.Descriptor is { } descriptor && Disagreement("data descriptor", descriptor.Crc32, descriptor.CompressedSize, descriptor.UncompressedSize, record) is { } descriptorMismatch)
        {
            return Fatal(ErrorCodes.PackageHeaderMismatch, descriptorMismatch);
        }

        return new Candidate(record, path, isDirectory, local);
    }

    private static string? Disagreement(string where, uint crc, uint compressed, uint uncompressed, ZipEntryRecord record) =>
        uncompressed != record.UncompressedSize ? Inv($"the {where} says {uncompressed} bytes but the central directory says {record.UncompressedSize}.")
        : compressed != record.CompressedSize ? Inv($"the {where} says {compressed} compressed bytes but the central directory says {record.CompressedSize}.")
        : crc != record.Crc32 ? Inv($"the {where} says CRC-32 {crc:x8} but the central directory says {record.Crc32:x8}.")
        : null;

    private static string LocalName(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return text.Length <= 80 ? text : text[..80] + "…";
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
                problems.Add(entry.Record.Index, Entry(ErrorCodes.PackageDuplicateName, entry,
                    Inv($"the name appears more than once (first as entry {same.Record.Number}).")));
                continue;
            }

            exact[entry.Name] = entry;
            if (folded.TryGetValue(key, out var other) && !(other.IsDirectory && entry.IsDirectory && other.Name == entry.Name))
            {
                problems.Add(entry.Record.Index, Entry(ErrorCodes.PackageDuplicateName, entry,
                    Inv($"the name differs only in case or Unicode form from entry {other.Record.Number} ({other.Name}); on a case-insensitive or normalising file system one would overwrite the other.")));
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
                    problems.Add(entry.Record.Index, Entry(ErrorCodes.PackageDuplicateName, entry,
                        $"its folder \"{parent}\" is also a file in the package."));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The archive must be exactly its entries, back to back from offset 0, then the central
    /// directory: each entry's local header, data and data descriptor start where the previous
    /// entry's end. Bytes that belong to no entry are where a prepended stub (a polyglot), a
    /// second archive or records only a streaming reader would see could hide; overlapping
    /// entries are how an aliasing zip bomb inflates the same bytes many times.
    /// </summary>
    private static void CheckLayout(List<Candidate> entries, long centralDirectoryOffset, EntryProblems problems, List<PackageProblem> archiveProblems)
    {
        long expected = 0;
        Candidate? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Local.Offset).ThenBy(e => e.Record.Index))
        {
            var start = entry.Local.Offset;
            if (start < expected)
            {
                problems.Add(entry.Record.Index, Entry(ErrorCodes.PackageOverlappingEntries, entry,
                    Inv($"its local header at offset {start} lies inside entry {previous!.Record.Number} ({previous.Name}), which runs to offset {expected}; entries must not share bytes (an aliasing zip bomb inflates the same bytes many times).")));
                continue;
            }

            if (start > expected)
            {
                archiveProblems.Add(new(ErrorCodes.PackageMalformed, entry.Name, previous is null
                    ? Inv($"Bytes 0–{start - 1} come before the first entry (entry {entry.Record.Number}, {entry.Name}, at offset {start}) and belong to no entry: a prepended file (a polyglot) or a second archive.")
                    : Inv($"Bytes {expected}–{start - 1}, between entry {previous.Record.Number} ({previous.Name}) and entry {entry.Record.Number} ({entry.Name}), belong to no entry: hidden data that a reader walking local headers would see.")));
            }

            expected = entry.Local.End;
            previous = entry;
        }

        if (previous is not null && expected != centralDirectoryOffset)
        {
            archiveProblems.Add(new(ErrorCodes.PackageMalformed, null,
                Inv($"Bytes {expected}–{centralDirectoryOffset - 1}, after the last entry ({previous.Name}) and before the central directory, belong to no entry: an appended archive or hidden data that a reader walking local headers would see.")));
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
                problems.Add(entry.Record.Index, TooLargeSpecial(entry, entry.Record.UncompressedSize, cap.Value));
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

    private static PackageProblem TooLargeSpecial(Candidate entry, long size, int cap) =>
        new(entry.Name == ManifestPath ? ErrorCodes.PackageManifestTooLarge : ErrorCodes.PackageTooLarge, entry.Name,
            Inv($"{entry.Label}: it is {size} bytes; the limit for this file is {cap} bytes."));

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
                problems.Add(record.Index, Entry(ErrorCodes.PackageInvalidName, entry, "its path leaves the package."));
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
            // read another entry's bytes or the central directory; it also tells whether the
            // deflate stream ended exactly there.
            var source = new CompressedInput(archive, checked((int)entry.Local.DataOffset), checked((int)record.CompressedSize));
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
                            problem = Entry(ErrorCodes.PackageRatioExceeded, entry,
                                Inv($"it inflates to more than {limits.MaxRatio} times its {record.CompressedSize} compressed bytes (the zip bomb limit)."));
                            break;
                        }

                        if (produced > record.UncompressedSize)
                        {
                            problem = Entry(ErrorCodes.PackageSizeMismatch, entry,
                                Inv($"it inflates past the {record.UncompressedSize} bytes its headers declare."));
                            break;
                        }

                        if (expanded + produced > limits.MaxExpandedBytes)
                        {
                            problem = Entry(ErrorCodes.PackageTooLarge, entry,
                                Inv($"with it the package expands past the limit of {limits.MaxExpandedBytes} bytes."));
                            break;
                        }

                        var chunk = buffer.AsSpan(0, read);
                        crc.Append(chunk);
                        sha.AppendData(chunk);
                        output.Write(chunk);
                        kept?.Write(chunk);
                    }
                }
                catch (InvalidDataException ex)
                {
                    problem = Entry(ErrorCodes.PackageMalformed, entry, "its deflate data is corrupt: " + ex.Message);
                }
            }

            if (problem is null && record.Method == ZipEntryRecord.MethodDeflate)
            {
                // A streaming reader inflates until the deflate stream says it ends, then expects
                // the next header: the stream must end exactly at the declared compressed size.
                if (source.AskedPastEnd)
                {
                    problem = Entry(ErrorCodes.PackageMalformed, entry,
                        Inv($"its deflate stream is cut off: it does not end within its {record.CompressedSize} compressed bytes, so a streaming reader would read on into the next entry."));
                }
                else if (source.Served < record.CompressedSize)
                {
                    problem = Entry(ErrorCodes.PackageMalformed, entry,
                        Inv($"its deflate stream ends before the last of its {record.CompressedSize} compressed bytes; the bytes after the stream belong to nothing, and a streaming reader would take them for the next header."));
                }
            }

            if (problem is null && produced != record.UncompressedSize)
            {
                problem = Entry(ErrorCodes.PackageSizeMismatch, entry,
                    Inv($"it inflates to {produced} bytes but its headers declare {record.UncompressedSize}."));
            }

            if (problem is null && crc.Value != record.Crc32)
            {
                problem = Entry(ErrorCodes.PackageCrcMismatch, entry,
                    Inv($"its content has CRC-32 {crc.Value:x8} but its headers declare {record.Crc32:x8}."));
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

    private static PackageProblem Entry(string code, Candidate entry, string sentence) => new(code, entry.Name, $"{entry.Label}: {sentence}");

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

    internal static void EmptyDirectory(string root)
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
