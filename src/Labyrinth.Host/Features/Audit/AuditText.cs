using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Labyrinth.Host.Features.Audit;

/// <summary>
/// Text on its way into the audit trail or a log table, in a form every engine stores: no control
/// character (PostgreSQL refuses NUL in text), no unpaired surrogate (Npgsql's strict UTF-8 refuses
/// it on the client; SQLite would store U+FFFD instead), bounded in length. A value that is already
/// fine comes back unchanged, so for nearly every row this costs one scan and no allocation.
/// </summary>
internal static class AuditText
{
    /// <summary>How long a free-text value in a network-log or audit row may be, after escaping.</summary>
    public const int MaxLength = 512;

    /// <summary>True when <paramref name="value"/> can be stored as it is.</summary>
    public static bool IsStorable(string? value, int maxLength = MaxLength)
    {
        if (value is null)
        {
            return true;
        }

        if (value.Length > maxLength)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is '\uFFFE' or '\uFFFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <paramref name="value"/> when it is storable; else every control character, unpaired
    /// surrogate, non-character and backslash written as <c>\uXXXX</c> (so the escaped form cannot
    /// be mistaken for a value that held those six characters), cut to <paramref name="maxLength"/>
    /// with a trailing "…" when longer. Lossy only in length: <see cref="Encode"/> keeps the original.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    public static string? Storable(string? value, int maxLength = MaxLength)
    {
        if (value is null || IsStorable(value, maxLength))
        {
            return value;
        }

        var escaped = new StringBuilder(Math.Min(value.Length + 16, maxLength + 8));
        var i = 0;
        for (; i < value.Length && escaped.Length <= maxLength; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                escaped.Append(c).Append(value[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' or '\\')
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        if (i == value.Length && escaped.Length <= maxLength)
        {
            return escaped.ToString();
        }

        // Cut one short for the ellipsis, never between the halves of a surrogate pair.
        var cut = Math.Min(escaped.Length, maxLength - 1);
        if (cut > 0 && char.IsHighSurrogate(escaped[cut - 1]))
        {
            cut--;
        }

        return escaped.ToString(0, cut) + "…";
    }

    /// <summary>
    /// <paramref name="value"/> losslessly as ASCII: base64 of its UTF-16 code units, little-endian,
    /// unpaired surrogates included (docs/operations.md shows how to read it back).
    /// </summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = new byte[value.Length * 2];
        for (var i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), value[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
