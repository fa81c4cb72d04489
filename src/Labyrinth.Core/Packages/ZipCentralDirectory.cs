using System.Buffers.Binary;
using System.Globalization;
using Labyrinth.Core.Errors;

namespace Labyrinth.Core.Packages;

/// <summary>One central directory record, exactly as stored: nothing here is trusted yet.</summary>
internal sealed record ZipEntryRecord(
    int Index,
    byte[] RawName,
    ushort VersionMadeBy,
    ushort Flags,
    ushort Method,
    uint Crc32,
    uint CompressedSize,
    uint UncompressedSize,
    ushort DiskStart,
    uint ExternalAttributes,
    uint LocalHeaderOffset)
{
    public const ushort MethodStored = 0;
    public const ushort MethodDeflate = 8;

    /// <summary>The Unix file type bits (S_IFMT) that Info-ZIP stores in the high half of the external attributes.</summary>
    public int UnixFileType => (int)((ExternalAttributes >> 16) & 0xF000);
}

/// <summary>The local file header of an entry: the copy of the name and method the data actually follows.</summary>
internal sealed record ZipLocalHeader(byte[] RawName, ushort Flags, ushort Method, long DataOffset);

internal sealed record ZipDirectory(IReadOnlyList<ZipEntryRecord> Entries, long CentralDirectoryOffset);

/// <summary>
/// Parses the end-of-central-directory record and the central directory of a zip ourselves,
/// because <c>ZipArchive</c> hides what a hostile-input check must see: raw name bytes, external
/// attributes, local header offsets (for aliasing) and the declared sizes it silently trusts.
/// Zip64, multi-disk and encrypted archives are refused rather than half-supported; a plugin
/// package never needs them.
/// </summary>
internal static class ZipCentralDirectory
{
    private const uint EocdSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EocdSize = 22;
    private const int CentralSize = 46;
    private const int LocalSize = 30;

    /// <summary>Reads the directory, or returns null with a whole-archive problem.</summary>
    public static ZipDirectory? Read(byte[] archive, int maxEntries, out PackageProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(archive);
        problem = null;
        var eocd = FindEocd(archive);
        if (eocd < 0)
        {
            problem = Malformed("The package is not a zip archive (no end-of-central-directory record).");
            return null;
        }

        var span = archive.AsSpan(eocd);
        var diskNumber = U16(span, 4);
        var cdDisk = U16(span, 6);
        var entriesOnDisk = U16(span, 8);
        var totalEntries = U16(span, 10);
        var cdSize = U32(span, 12);
        var cdOffset = U32(span, 16);

        if (eocd >= 20 && U32(archive.AsSpan(eocd - 20), 0) == Zip64LocatorSignature ||
            totalEntries == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
        {
            problem = Unsupported("The package is a zip64 archive; packages must be plain zip.");
            return null;
        }

        if (diskNumber != 0 || cdDisk != 0 || entriesOnDisk != totalEntries)
        {
            problem = Unsupported("The package is a multi-disk (spanned) zip archive.");
            return null;
        }

        if (totalEntries > maxEntries)
        {
            problem = new(ErrorCodes.PackageTooManyEntries, null, Inv($"The package has {totalEntries} entries; the limit is {maxEntries}."));
            return null;
        }

        if ((long)cdOffset + cdSize > eocd)
        {
            problem = Malformed("The central directory lies outside the archive.");
            return null;
        }

        var entries = new List<ZipEntryRecord>(totalEntries);
        var pos = (long)cdOffset;
        var end = (long)cdOffset + cdSize;
        for (var i = 0; i < totalEntries; i++)
        {
            if (pos + CentralSize > end || U32(archive.AsSpan((int)pos), 0) != CentralSignature)
            {
                problem = Malformed(Inv($"Central directory record #{i + 1} is truncated or corrupt."));
                return null;
            }

            var r = archive.AsSpan((int)pos, CentralSize);
            int nameLength = U16(r, 28), extraLength = U16(r, 30), commentLength = U16(r, 32);
            var recordEnd = pos + CentralSize + nameLength + extraLength + commentLength;
            if (recordEnd > end)
            {
                problem = Malformed(Inv($"Central directory record #{i + 1} runs past the end of the directory."));
                return null;
            }

            entries.Add(new ZipEntryRecord(
                Index: i,
                RawName: archive.AsSpan((int)pos + CentralSize, nameLength).ToArray(),
                VersionMadeBy: U16(r, 4),
                Flags: U16(r, 8),
                Method: U16(r, 10),
                Crc32: U32(r, 16),
                CompressedSize: U32(r, 20),
                UncompressedSize: U32(r, 24),
                DiskStart: U16(r, 34),
                ExternalAttributes: U32(r, 38),
                LocalHeaderOffset: U32(r, 42)));
            pos = recordEnd;
        }

        if (pos != end)
        {
            // Bytes after the last record would be a place to hide records other readers see.
            problem = Malformed("The central directory holds more records than the archive declares.");
            return null;
        }

        return new ZipDirectory(entries, cdOffset);
    }

    /// <summary>Reads the local header of <paramref name="entry"/>, or returns null with a sentence saying why not.</summary>
    public static ZipLocalHeader? ReadLocalHeader(byte[] archive, ZipEntryRecord entry, long centralDirectoryOffset, out string? error)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(entry);
        error = null;
        long offset = entry.LocalHeaderOffset;
        if (offset + LocalSize > centralDirectoryOffset || U32(archive.AsSpan((int)offset), 0) != LocalSignature)
        {
            error = "its local header is missing or corrupt";
            return null;
        }

        var h = archive.AsSpan((int)offset, LocalSize);
        int nameLength = U16(h, 26), extraLength = U16(h, 28);
        var dataOffset = offset + LocalSize + nameLength + extraLength;
        if (dataOffset + entry.CompressedSize > centralDirectoryOffset)
        {
            error = "its data runs into the central directory";
            return null;
        }

        return new ZipLocalHeader(archive.AsSpan((int)offset + LocalSize, nameLength).ToArray(), U16(h, 6), U16(h, 8), dataOffset);
    }

    /// <summary>
    /// Finds the EOCD by scanning back over at most a maximal comment, accepting only a record
    /// whose comment length reaches exactly the end of the file, so a signature-like byte run
    /// inside the comment or data cannot be mistaken for it.
    /// </summary>
    private static int FindEocd(byte[] archive)
    {
        var last = archive.Length - EocdSize;
        var first = Math.Max(0, last - ushort.MaxValue);
        for (var i = last; i >= first; i--)
        {
            if (U32(archive.AsSpan(i), 0) == EocdSignature && i + EocdSize + U16(archive.AsSpan(i), 20) == archive.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    private static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    private static PackageProblem Malformed(string message) => new(ErrorCodes.PackageMalformed, null, message);

    private static PackageProblem Unsupported(string message) => new(ErrorCodes.PackageUnsupported, null, message);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
