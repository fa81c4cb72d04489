namespace Labyrinth.Core.Ink;

/// <summary>A stroke's extent in world units (its points; the pen width is not included).</summary>
public readonly record struct StrokeBounds(double MinX, double MinY, double MaxX, double MaxY);

/// <summary>
/// The compact point encoding stored per stroke and sent to the page as base64 (docs/api.md "Ink
/// wire format"): byte 1 (format), a varint point count, then per point the zigzag-varint deltas of
/// x and y in steps of <see cref="InkRules.Quantum"/> and one pressure byte (0..255 ↔ 0..1).
/// Handwriting moves a few units per event, so most points take 3–4 bytes instead of 24.
/// </summary>
public static class StrokeCodec
{
    public const byte Format = 1;

    private const double Scale = 1 / InkRules.Quantum;

    /// <summary>Encodes checked points (see <see cref="InkRules.CheckPoints"/>); also returns their bounds after quantising.</summary>
    public static byte[] Encode(ReadOnlySpan<double> flat, out StrokeBounds bounds)
    {
        var n = flat.Length / 3;
        var buffer = new byte[1 + 5 + (n * 11)];
        var at = 0;
        buffer[at++] = Format;
        at = WriteVarint(buffer, at, (uint)n);
        long px = 0, py = 0;
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (var i = 0; i < flat.Length; i += 3)
        {
            var qx = (long)Math.Round(flat[i] * Scale, MidpointRounding.AwayFromZero);
            var qy = (long)Math.Round(flat[i + 1] * Scale, MidpointRounding.AwayFromZero);
            at = WriteVarint(buffer, at, ZigZag(qx - px));
            at = WriteVarint(buffer, at, ZigZag(qy - py));
            buffer[at++] = (byte)Math.Round(Math.Clamp(flat[i + 2], 0, 1) * 255, MidpointRounding.AwayFromZero);
            px = qx;
            py = qy;
            minX = Math.Min(minX, qx / Scale);
            minY = Math.Min(minY, qy / Scale);
            maxX = Math.Max(maxX, qx / Scale);
            maxY = Math.Max(maxY, qy / Scale);
        }

        bounds = new StrokeBounds(minX, minY, maxX, maxY);
        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>The flat points of an encoded stroke; throws <see cref="FormatException"/> for bytes this codec did not write.</summary>
    public static double[] Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != Format)
        {
            throw new FormatException("Not an encoded stroke.");
        }

        var at = 1;
        var n = (int)ReadVarint(data, ref at);
        if (n > InkRules.MaxPointsPerStroke)
        {
            throw new FormatException("Too many points.");
        }

        var flat = new double[n * 3];
        long x = 0, y = 0;
        for (var i = 0; i < n; i++)
        {
            x += UnZigZag(ReadVarint(data, ref at));
            y += UnZigZag(ReadVarint(data, ref at));
            if (at >= data.Length)
            {
                throw new FormatException("Truncated stroke.");
            }

            flat[i * 3] = x / Scale;
            flat[(i * 3) + 1] = y / Scale;
            flat[(i * 3) + 2] = data[at++] / 255.0;
        }

        return flat;
    }

    private static uint ZigZag(long v) => (uint)((v << 1) ^ (v >> 63));

    private static long UnZigZag(uint v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static int WriteVarint(byte[] buffer, int at, uint value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= data.Length)
            {
                throw new FormatException("Truncated stroke.");
            }

            var b = data[at++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("Bad varint.");
    }
}
