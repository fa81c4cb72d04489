using System.Buffers.Binary;
using System.Text;

namespace Labyrinth.Host.Tests.Governance;

/// <summary>Byte surgery on well-formed zips, to make the hostile packages an attacker would upload.</summary>
internal static class ZipForge
{
    /// <summary>
    /// <paramref name="zip"/> glued after <paramref name="prefix"/> with every offset moved, as
    /// <c>zip -A</c> does for self-extracting archives: a reader that trusts the central
    /// directory reads the zip; whatever reads from the front reads the prefix (or first archive).
    /// </summary>
    public static byte[] GlueAfter(byte[] prefix, byte[] zip)
    {
        var shift = (uint)prefix.Length;
        var combined = prefix.Concat(zip).ToArray();
        var eocd = combined.Length - 22;
        var cdOffset = U32(combined, eocd + 16) + shift;
        W32(combined, eocd + 16, cdOffset);
        var pos = (int)cdOffset;
        for (var i = 0; i < U16(combined, eocd + 10); i++)
        {
            W32(combined, pos + 42, U32(combined, pos + 42) + shift);
            pos += 46 + U16(combined, pos + 28) + U16(combined, pos + 30) + U16(combined, pos + 32);
        }

        return combined;
    }

    /// <summary>Sets the uncompressed size in the local header of <paramref name="name"/> (the central directory keeps the truth).</summary>
    public static byte[] SetLocalUncompressedSize(byte[] zip, string name, uint size)
    {
        var copy = zip.ToArray();
        var (number, offset) = Find(copy, name);
        _ = number;
        W32(copy, (int)offset + 22, size);
        return copy;
    }

    /// <summary>The 1-based entry number and local header offset of <paramref name="name"/>.</summary>
    public static (int Number, uint LocalHeaderOffset) Find(byte[] zip, string name)
    {
        var eocd = zip.Length - 22;
        var pos = (int)U32(zip, eocd + 16);
        for (var i = 0; i < U16(zip, eocd + 10); i++)
        {
            var nameLength = U16(zip, pos + 28);
            if (Encoding.UTF8.GetString(zip, pos + 46, nameLength) == name)
            {
                return (i + 1, U32(zip, pos + 42));
            }

            pos += 46 + nameLength + U16(zip, pos + 30) + U16(zip, pos + 32);
        }

        throw new InvalidOperationException($"{name} is not in the zip.");
    }

    private static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));

    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
}
