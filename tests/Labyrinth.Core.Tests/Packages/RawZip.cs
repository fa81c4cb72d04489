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
    public uint? CompressedSizeOverride { get; set; }
    public uint ExternalAttributes { get; set; }
    public ushort VersionMadeBy { get; set; } = 0x031E; // Unix, spec 3.0
    public byte[]? LocalName { get; set; }
}

/// <summary>
/// Writes zip bytes by hand so tests can produce archives no well-behaved library would:
/// lying sizes, bad CRCs, symlink attributes, raw name bytes, overlapping ranges.
/// </summary>
internal static class RawZip
{
    public static byte[] Build(params RawZipEntry[] entries)
    {
        using var ms = new MemoryStream();
        var offsets = new List<uint>();
        var compressed = new List<byte[]>();
        foreach (var e in entries)
        {
            var data = e.Deflate ? Compress(e.Content) : e.Content;
            compressed.Add(data);
            offsets.Add((uint)ms.Length);
            var name = e.LocalName ?? e.RawName;
            var header = new byte[30];
            W32(header, 0, 0x04034b50);
            W16(header, 4, 20);
            W16(header, 6, e.Flags);
            W16(header, 8, MethodOf(e));
            W32(header, 14, e.Crc ?? Crc(e.Content));
            W32(header, 18, (uint)data.Length);
            W32(header, 22, e.DeclaredSize ?? (uint)e.Content.Length);
            W16(header, 26, (ushort)name.Length);
            ms.Write(header);
            ms.Write(name);
            ms.Write(data);
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
            W32(record, 38, e.ExternalAttributes);
            W32(record, 42, offsets[i]);
            ms.Write(record);
            ms.Write(e.RawName);
        }

        var cdSize = (uint)ms.Length - cdOffset;
        var eocd = new byte[22];
        W32(eocd, 0, 0x06054b50);
        W16(eocd, 8, (ushort)entries.Length);
        W16(eocd, 10, (ushort)entries.Length);
        W32(eocd, 12, cdSize);
        W32(eocd, 16, cdOffset);
        ms.Write(eocd);
        return ms.ToArray();
    }

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
