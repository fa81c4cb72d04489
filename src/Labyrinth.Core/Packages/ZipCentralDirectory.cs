using System.Buffers.Binary;
using System.Globalization;
using Labyrinth.Core.Errors;

namespace Labyrinth.Core.Packages;

/// <summary>One central directory record, exactly as stored: nothing here is trusted yet.</summary>
internal sealed record ZipEntryRecord(
    int Index,
    long RecordOffset,
    byte[] RawName,
    ushort VersionMadeBy,
    ushort Flags,
    ushort Method,
    uint Crc32,
    uint CompressedSize,
    uint UncompressedSize,
    ushort DiskStart,
    uint ExternalAttributes,
    uint LocalHeaderOffset,
    byte[] Extra,
    byte[] Comment)
{
    public const ushort MethodStored = 0;
    public const ushort MethodDeflate = 8;

    /// <summary>The Unix file type bits (S_IFMT) that Info-ZIP stores in the high half of the external attributes.</summary>
    public int UnixFileType => (int)((ExternalAttributes >> 16) & 0xF000);

    /// <summary>The MS-DOS directory attribute in the low byte of the external attributes.</summary>
    public bool DosDirectory => (ExternalAttributes & 0x10) != 0;

    /// <summary>1-based, as people count entries.</summary>
    public int Number => Index + 1;
}

/// <summary>The optional data descriptor after an entry's data (flag bit 3), as stored.</summary>
internal sealed record ZipDataDescriptor(uint Crc32, uint CompressedSize, uint UncompressedSize);

/// <summary>The local file header of an entry: the copy of the name, sizes and method the data actually follows.</summary>
internal sealed record ZipLocalHeader(
    long Offset,
    byte[] RawName,
    ushort Flags,
    ushort Method,
    uint Crc32,
    uint CompressedSize,
    uint UncompressedSize,
    byte[] Extra,
    long DataOffset,
    ZipDataDescriptor? Descriptor,
    long End);

internal sealed record ZipDirectory(IReadOnlyList<ZipEntryRecord> Entries, long CentralDirectoryOffset);

/// <summary>
/// Parses the end-of-central-directory record and the central directory of a zip ourselves,
/// because <c>ZipArchive</c> hides what a hostile-input check must see: raw name bytes, external
/// attributes, local header offsets (for aliasing) and the declared sizes it silently trusts.
/// Zip64, multi-disk and encrypted archives are refused rather than half-supported; a plugin
/// package never needs them. Every sentence names the record and the rule it breaks.
/// </summary>
internal static class ZipCentralDirectory
{
    public const uint EocdSignature = 0x06054b50;
    public const uint CentralSignature = 0x02014b50;
    public const uint LocalSignature = 0x04034b50;
    public const uint DescriptorSignature = 0x08074b50;
    private const uint Zip64EocdSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    public const int EocdSize = 22;
    private const int CentralSize = 46;
    private const int LocalSize = 30;
    private const int DescriptorSize = 16;
    public const ushort FlagDataDescriptor = 0x0008;

    /// <summary>Every record signature a zip reader may scan for; none may hide in a comment.</summary>
    private static readonly uint[] Signatures =
        [LocalSignature, CentralSignature, EocdSignature, DescriptorSignature, Zip64EocdSignature, Zip64LocatorSignature];

    /// <summary>Reads the directory, or returns null with a whole-archive problem.</summary>
    public static ZipDirectory? Read(byte[] archive, int maxEntries, out PackageProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(archive);
        problem = null;
        var eocd = FindEocd(archive, out var eocdProblem);
        if (eocd < 0)
        {
            problem = Malformed(eocdProblem!);
            return null;
        }

        var span = archive.AsSpan(eocd);
        var diskNumber = U16(span, 4);
        var cdDisk = U16(span, 6);
        var entriesOnDisk = U16(span, 8);
        var totalEntries = U16(span, 10);
        var cdSize = U32(span, 12);
        var cdOffset = U32(span, 16);
        var comment = archive.AsSpan(eocd + EocdSize);

        if (FindSignature(comment) is { } hidden)
        {
            problem = Malformed(Inv($"The archive comment holds a zip record signature ({SignatureName(hidden.Signature)} at offset {eocd + EocdSize + hidden.At}): a reader that scans for records would find a different archive there."));
            return null;
        }

        if (eocd >= 20 && U32(archive.AsSpan(eocd - 20), 0) == Zip64LocatorSignature ||
            totalEntries == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
        {
            problem = Unsupported("The package is a zip64 archive (a zip64 locator, or 0xFFFF/0xFFFFFFFF placeholders in the end-of-central-directory record); packages must be plain zip, where every reader takes the same sizes and offsets.");
            return null;
        }

        if (diskNumber != 0 || cdDisk != 0 || entriesOnDisk != totalEntries)
        {
            problem = Unsupported(Inv($"The package is a multi-disk (spanned) zip archive: the end-of-central-directory record says disk {diskNumber}, central directory on disk {cdDisk}, {entriesOnDisk} entries on this disk of {totalEntries}."));
            return null;
        }

        if (totalEntries > maxEntries)
        {
            problem = new(ErrorCodes.PackageTooManyEntries, null, Inv($"The package has {totalEntries} entries; the limit is {maxEntries}."));
            return null;
        }

        if (totalEntries > 0 && U32(archive, 0) != LocalSignature)
        {
            problem = Malformed(Inv($"The package does not start with a zip local file header (PK\\x03\\x04); its first bytes are {Convert.ToHexString(archive.AsSpan(0, Math.Min(4, archive.Length)))}{Describe(archive)}. Bytes in front of the first entry make a polyglot, a file other programs read as something else."));
            return null;
        }

        var end = (long)cdOffset + cdSize;
        if (end > eocd)
        {
            problem = Malformed(Inv($"The central directory (offset {cdOffset}, {cdSize} bytes) runs past the end-of-central-directory record at offset {eocd}."));
            return null;
        }

        if (end < eocd)
        {
            problem = Malformed(Inv($"{eocd - end} bytes lie between the end of the central directory (offset {end}) and the end-of-central-directory record (offset {eocd}); nothing may sit between them."));
            return null;
        }

        var entries = new List<ZipEntryRecord>(totalEntries);
        var pos = (long)cdOffset;
        for (var i = 0; i < totalEntries; i++)
        {
            if (pos == end)
            {
                problem = Malformed(Inv($"The end-of-central-directory record says the archive has {totalEntries} entries, but the central directory holds only {i}."));
                return null;
            }

            if (pos + CentralSize > end || U32(archive.AsSpan((int)pos), 0) != CentralSignature)
            {
                problem = Malformed(Inv($"Central directory record {i + 1} of {totalEntries} (at offset {pos}) is not a central directory record: no PK\\x01\\x02 signature, or fewer than {CentralSize} bytes left in the directory."));
                return null;
            }

            var r = archive.AsSpan((int)pos, CentralSize);
            int nameLength = U16(r, 28), extraLength = U16(r, 30), commentLength = U16(r, 32);
            var recordEnd = pos + CentralSize + nameLength + extraLength + commentLength;
            if (recordEnd > end)
            {
                problem = Malformed(Inv($"Central directory record {i + 1} (at offset {pos}) runs past the end of the central directory: its name, extra field and comment take {nameLength + extraLength + commentLength} bytes, {end - pos - CentralSize} remain."));
                return null;
            }

            var at = (int)pos + CentralSize;
            entries.Add(new ZipEntryRecord(
                Index: i,
                RecordOffset: pos,
                RawName: archive.AsSpan(at, nameLength).ToArray(),
                VersionMadeBy: U16(r, 4),
                Flags: U16(r, 8),
                Method: U16(r, 10),
                Crc32: U32(r, 16),
                CompressedSize: U32(r, 20),
                UncompressedSize: U32(r, 24),
                DiskStart: U16(r, 34),
                ExternalAttributes: U32(r, 38),
                LocalHeaderOffset: U32(r, 42),
                Extra: archive.AsSpan(at + nameLength, extraLength).ToArray(),
                Comment: archive.AsSpan(at + nameLength + extraLength, commentLength).ToArray()));
            pos = recordEnd;
        }

        if (pos != end)
        {
            // Bytes after the last record would be a place to hide records other readers see.
            problem = Malformed(Inv($"The end-of-central-directory record says the archive has {totalEntries} entries, but the central directory holds more: {end - pos} bytes remain after record {totalEntries}."));
            return null;
        }

        return new ZipDirectory(entries, cdOffset);
    }

    /// <summary>
    /// Reads the local header of <paramref name="entry"/> (and its data descriptor, when flag bit 3
    /// says there is one), or returns null with a sentence saying which rule it breaks.
    /// </summary>
    public static ZipLocalHeader? ReadLocalHeader(byte[] archive, ZipEntryRecord entry, long centralDirectoryOffset, out string? error)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(entry);
        error = null;
        long offset = entry.LocalHeaderOffset;
        if (offset + LocalSize > centralDirectoryOffset)
        {
            error = Inv($"the central directory puts its local header at offset {offset}, which leaves no room for one before the central directory (offset {centralDirectoryOffset})");
            return null;
        }

        if (U32(archive.AsSpan((int)offset), 0) != LocalSignature)
        {
            error = Inv($"there is no local file header (PK\\x03\\x04) at offset {offset}, where the central directory puts it");
            return null;
        }

        var h = archive.AsSpan((int)offset, LocalSize);
        int nameLength = U16(h, 26), extraLength = U16(h, 28);
        var dataOffset = offset + LocalSize + nameLength + extraLength;
        if (dataOffset > centralDirectoryOffset)
        {
            error = Inv($"its local header at offset {offset} (name and extra field {nameLength + extraLength} bytes) runs into the central directory at offset {centralDirectoryOffset}");
            return null;
        }

        var dataEnd = dataOffset + entry.CompressedSize;
        if (dataEnd > centralDirectoryOffset)
        {
            error = Inv($"its {entry.CompressedSize} bytes of data from offset {dataOffset} run into the central directory at offset {centralDirectoryOffset}");
            return null;
        }

        var flags = U16(h, 6);
        ZipDataDescriptor? descriptor = null;
        var end = dataEnd;
        if ((flags & FlagDataDescriptor) != 0)
        {
            // Only the signed 16-byte form: without the signature a streaming reader has to guess.
            if (dataEnd + DescriptorSize > centralDirectoryOffset || U32(archive.AsSpan((int)dataEnd), 0) != DescriptorSignature)
            {
                error = Inv($"flag bit 3 says a data descriptor follows its data, but there is no PK\\x07\\x08 descriptor at offset {dataEnd}");
                return null;
            }

            var d = archive.AsSpan((int)dataEnd, DescriptorSize);
            descriptor = new ZipDataDescriptor(U32(d, 4), U32(d, 8), U32(d, 12));
            end = dataEnd + DescriptorSize;
        }

        return new ZipLocalHeader(
            Offset: offset,
            RawName: archive.AsSpan((int)offset + LocalSize, nameLength).ToArray(),
            Flags: flags,
            Method: U16(h, 8),
            Crc32: U32(h, 14),
            CompressedSize: U32(h, 18),
            UncompressedSize: U32(h, 22),
            Extra: archive.AsSpan((int)offset + LocalSize + nameLength, extraLength).ToArray(),
            DataOffset: dataOffset,
            Descriptor: descriptor,
            End: end);
    }

    /// <summary>
    /// Walks an extra field's (id, size, data) blocks. Returns a sentence when the blocks do not
    /// exactly fill it, or when one is a block that makes readers disagree: zip64 sizes (0x0001)
    /// that a zip64-aware reader takes over the 32-bit ones, or an Info-ZIP Unicode Path (0x7075)
    /// that some readers show instead of the name this reader checked.
    /// </summary>
    public static string? CheckExtraField(ReadOnlySpan<byte> extra, string where)
    {
        var pos = 0;
        while (pos < extra.Length)
        {
            if (pos + 4 > extra.Length)
            {
                return Inv($"its {where} extra field is malformed: {extra.Length - pos} stray bytes after the last block");
            }

            var id = U16(extra, pos);
            var size = U16(extra, pos + 2);
            if (pos + 4 + size > extra.Length)
            {
                return Inv($"its {where} extra field is malformed: block 0x{id:X4} at byte {pos} claims {size} bytes but only {extra.Length - pos - 4} remain");
            }

            switch (id)
            {
                case 0x0001:
                    return $"its {where} header carries a zip64 extra field (0x0001), whose sizes a zip64-aware reader would use instead of the 32-bit ones; packages are plain zip";
                case 0x7075:
                    return $"its {where} header carries an Info-ZIP Unicode Path extra field (0x7075), which some readers show instead of the entry's name";
            }

            pos += 4 + size;
        }

        return null;
    }

    /// <summary>The first zip record signature in <paramref name="bytes"/>, if any.</summary>
    public static (uint Signature, int At)? FindSignature(ReadOnlySpan<byte> bytes)
    {
        for (var at = bytes.IndexOf("PK"u8); at >= 0 && at + 4 <= bytes.Length; at = NextPk(bytes, at))
        {
            var value = U32(bytes, at);
            if (Signatures.Contains(value))
            {
                return (value, at);
            }
        }

        return null;
    }

    private static int NextPk(ReadOnlySpan<byte> bytes, int at)
    {
        var next = bytes[(at + 1)..].IndexOf("PK"u8);
        return next < 0 ? -1 : at + 1 + next;
    }

    public static string SignatureName(uint signature) => signature switch
    {
        LocalSignature => "PK\\x03\\x04, a local file header",
        CentralSignature => "PK\\x01\\x02, a central directory record",
        EocdSignature => "PK\\x05\\x06, an end-of-central-directory record",
        DescriptorSignature => "PK\\x07\\x08, a data descriptor",
        Zip64EocdSignature => "PK\\x06\\x06, a zip64 end-of-central-directory record",
        _ => "PK\\x06\\x07, a zip64 locator",
    };

    /// <summary>
    /// Finds the EOCD by scanning back over at most a maximal comment, accepting only a record
    /// whose comment length reaches exactly the end of the file, so a signature-like byte run
    /// inside the comment or data cannot be mistaken for it, and refusing a second record that
    /// would fit as well. When no record fits, the sentence says whether there is none or one
    /// followed by bytes its comment length does not cover.
    /// </summary>
    private static int FindEocd(byte[] archive, out string? problem)
    {
        problem = null;
        var last = archive.Length - EocdSize;
        var first = Math.Max(0, last - ushort.MaxValue);
        var nearest = -1;
        for (var i = last; i >= first; i--)
        {
            if (U32(archive.AsSpan(i), 0) != EocdSignature)
            {
                continue;
            }

            if (i + EocdSize + U16(archive.AsSpan(i), 20) == archive.Length)
            {
                // A second record whose comment also reaches the end (the first one's comment
                // inside an entry's data) would be what a reader scanning from the front takes.
                for (var j = i - 1; j >= first; j--)
                {
                    if (U32(archive.AsSpan(j), 0) == EocdSignature && j + EocdSize + U16(archive.AsSpan(j), 20) == archive.Length)
                    {
                        problem = Inv($"The package has two end-of-central-directory records that both end the file (at offsets {j} and {i}); readers would disagree on which archive it is.");
                        return -1;
                    }
                }

                return i;
            }

            nearest = nearest < 0 ? i : nearest;
        }

        problem = nearest < 0
            ? "The package is not a zip archive: no end-of-central-directory record (PK\\x05\\x06) ends it."
            : Inv($"Bytes follow the end of the zip archive: the end-of-central-directory record at offset {nearest} says its comment is {U16(archive.AsSpan(nearest), 20)} bytes, but {archive.Length - nearest - EocdSize} bytes follow it. Only the comment may come after the record.");
        return -1;
    }

    private static string Describe(byte[] archive) =>
        archive.AsSpan().StartsWith("MZ"u8) ? " (\"MZ\", a Windows executable)"
        : archive.AsSpan().StartsWith("<"u8) ? " (\"<\", markup such as HTML)"
        : archive.AsSpan().StartsWith("%PDF"u8) ? " (a PDF)"
        : "";

    private static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    private static PackageProblem Malformed(string message) => new(ErrorCodes.PackageMalformed, null, message);

    private static PackageProblem Unsupported(string message) => new(ErrorCodes.PackageUnsupported, null, message);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
