using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Labyrinth.Core.Packages;

namespace Labyrinth.Core.Tests.Packages;

/// <summary>One entry for <see cref="RawZip"/>; every header field can be forged.</summary>
internal sealed class RawZipEntry
{
    public RawZipEntry(string name, byte[] content)
    {
        RawName = Encoding.UTF8.GetBytes(name);
        Content = content;
    }

    public RawZipEntry(string name, string content) : this(name, Encoding.UTF8.GetBytes(content))
    {
    }

    public byte[] RawName { get; set; }
    public byte[] Content { get; }
    public bool Deflate { get; set; } = true;
    public ushort? Method { get; set; }
    public ushort Flags { get; set; } = 0x0800;
    public uint? Crc { get; set; }
    public uint? DeclaredSize { get; set; }
    /// <summary>The compressed size both headers declare (the bytes written stay the real ones).</summary>
    public uint? CompressedSizeOverride { get; set; }
    public uint ExternalAttributes { get; set; }
    public ushort VersionMadeBy { get; set; } = 0x031E; // Unix, spec 3.0
    public byte[]? LocalName { get; set; }

    // What only the local header says, for parser-differential tests.
    public ushort? LocalFlags { get; set; }
    public ushort? LocalMethod { get; set; }
    public uint? LocalCrc { get; set; }
    public uint? LocalCompressedSize { get; set; }
    public uint? LocalDeclaredSize { get; set; }

    public byte[] CentralExtra { get; set; } = [];
    public byte[] LocalExtra { get; set; } = [];
    public byte[] Comment { get; set; } = [];

    /// <summary>Bytes written right after the compressed data, counted in both headers' compressed size.</summary>
    public byte[] TrailingData { get; set; } = [];

    /// <summary>Replaces the compressed data (before <see cref="TrailingData"/>), e.g. with a cut-off deflate stream.</summary>
    public byte[]? DataOverride { get; set; }

    /// <summary>A data descriptor (PK\x07\x08, CRC, sizes) after the data; set flag bit 3 yourself.</summary>
    public (uint Crc, uint Compressed, uint Uncompressed)? Descriptor { get; set; }
}

/// <summary>
/// Writes zip bytes by hand so tests can produce archives no well-behaved library would:
/// lying sizes, bad CRCs, symlink attributes, raw name bytes, overlapping ranges.
/// </summary>
internal static class RawZip
{
    public static byte[] Build(params RawZipEntry[] entries) => Build(entries, comment: []);

    public static byte[] Build(RawZipEntry[] entries, byte[] comment)
    {
        using var ms = new MemoryStream();
        var offsets = new List<uint>();
        var compressed = new List<byte[]>();
        foreach (var e in entries)
        {
            byte[] data = [.. e.DataOverride ?? (e.Deflate ? Compress(e.Content) : e.Content), .. e.TrailingData];
            compressed.Add(data);
            offsets.Add((uint)ms.Length);
            var name = e.LocalName ?? e.RawName;
            var header = new byte[30];
            W32(header, 0, 0x04034b50);
            W16(header, 4, 20);
            W16(header, 6, e.LocalFlags ?? e.Flags);
            W16(header, 8, e.LocalMethod ?? MethodOf(e));
            W32(header, 14, e.LocalCrc ?? e.Crc ?? Crc(e.Content));
            W32(header, 18, e.LocalCompressedSize ?? e.CompressedSizeOverride ?? (uint)data.Length);
            W32(header, 22, e.LocalDeclaredSize ?? e.DeclaredSize ?? (uint)e.Content.Length);
            W16(header, 26, (ushort)name.Length);
            W16(header, 28, (ushort)e.LocalExtra.Length);
            ms.Write(header);
            ms.Write(name);
            ms.Write(e.LocalExtra);
            ms.Write(data);
            if (e.Descriptor is { } d)
            {
                var descriptor = new byte[16];
                W32(descriptor, 0, 0x08074b50);
                W32(descriptor, 4, d.Crc);
                W32(descriptor, 8, d.Compressed);
                W32(descriptor, 12, d.Uncompressed);
                ms.Write(descriptor);
            }
        }


        var cdOffset = (uint)ms.Length;
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            var record = new byte[46];
            W32(record, 0, 0x02014b50);
            W16(record, 4, e.VersionMadeBy);
            W16(record, 6, 20);
            W16(record, 8, e.Flags);
            W16(record, 10, MethodOf(e));
            W32(record, 16, e.Crc ?? Crc(e.Content));
            W32(record, 20, e.CompressedSizeOverride ?? (uint)compressed[i].Length);
            W32(record, 24, e.DeclaredSize ?? (uint)e.Content.Length);
            W16(record, 28, (ushort)e.RawName.Length);
            W16(record, 30, (ushort)e.CentralExtra.Length);
            W16(record, 32, (ushort)e.Comment.Length);
            W32(record, 38, e.ExternalAttributes);
            W32(record, 42, offsets[i]);
            ms.Write(record);
            ms.Write(e.RawName);
            ms.Write(e.CentralExtra);
            ms.Write(e.Comment);
        }

        var cdSize = (uint)ms.Length - cdOffset;
        var eocd = new byte[22];
        W32(eocd, 0, 0x06054b50);
        W16(eocd, 8, (ushort)entries.Length);
        W16(eocd, 10, (ushort)entries.Length);
        W32(eocd, 12, cdSize);
        W32(eocd, 16, cdOffset);
        W16(eocd, 20, (ushort)comment.Length);
        ms.Write(eocd);
        ms.Write(comment);
        return ms.ToArray();
    }

    /// <summary>
    /// <paramref name="second"/> glued after <paramref name="first"/>, with its offsets moved so
    /// that a reader that trusts the last end-of-central-directory record reads the second archive.
    /// </summary>
    public static byte[] Append(byte[] first, byte[] second)
    {
        var shift = (uint)first.Length;
        var combined = first.Concat(second).ToArray();
        var eocd = combined.Length - 22;
        var cdOffset = R32(combined, eocd + 16) + shift;
        W32(combined, eocd + 16, cdOffset);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(combined.AsSpan(eocd + 10));
        var pos = (int)cdOffset;
        for (var i = 0; i < count; i++)
        {
            W32(combined, pos + 42, R32(combined, pos + 42) + shift);
            pos += 46 + BinaryPrimitives.ReadUInt16LittleEndian(combined.AsSpan(pos + 28)) +
                BinaryPrimitives.ReadUInt16LittleEndian(combined.AsSpan(pos + 30)) +
                BinaryPrimitives.ReadUInt16LittleEndian(combined.AsSpan(pos + 32));
        }

        return combined;
    }

    private static uint R32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    /// <summary>A minimal valid manifest entry, so tests of one rule are not refused for a missing manifest.</summary>
    public static RawZipEntry Manifest() => new(PackageReader.ManifestPath, "{\"id\":\"com.example.test\"}");

    public static byte[] Compress(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var deflate = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(content);
        }

        return ms.ToArray();
    }

    public static uint Crc(byte[] content) => Labyrinth.Core.Packages.Crc32.Compute(content);

    private static ushort MethodOf(RawZipEntry e) => e.Method ?? (ushort)(e.Deflate ? 8 : 0);

    private static void W16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);

    private static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
}
