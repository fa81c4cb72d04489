using System.Buffers;
using System.Globalization;
using System.Text;
using Labyrinth.Core.Text;

namespace Labyrinth.Core.Plugins;

/// <summary>
/// Rules for paths inside a plugin. A path is relative, forward-slash separated, and has no
/// empty, "." or ".." segments, so a file lookup can never leave the plugin's own directory.
/// </summary>
public static class PluginPath
{
    public const int MaxLength = 512;

    /// <summary>Returns null when <paramref name="path"/> is acceptable, else a sentence saying why not.</summary>
    public static string? Check(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return "The path is empty.";
        }

        if (path.Length > MaxLength)
        {
            return $"The path is longer than {MaxLength} characters.";
        }

        if (path[0] == '/')
        {
            return "The path must be relative (no leading \"/\").";
        }

        if (path.Length >= 2 && path[1] == ':')
        {
            return "The path must not start with a drive letter.";
        }

        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\')
            {
                return "The path must use \"/\" separators, not \"\\\".";
            }

            if (char.IsControl(c))
            {
                return "The path contains a control character.";
            }

            if (IsBidiControl(c))
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"The path contains the bidirectional control character U+{(int)c:X4}, which makes a name display in a different order than it is (\"Trojan Source\").");
            }

            // Judged by code point, not UTF-16 unit: the tag characters (U+E0000–U+E007F) and the
            // other invisible characters outside the BMP are surrogate pairs, which a check of
            // each unit reads as "surrogate" and lets through.
            if (CharUnicodeInfo.GetUnicodeCategory(path, i) == UnicodeCategory.Format
                || (Rune.TryGetRuneAt(path, i, out var rune) && DisplayText.IsInvisible(rune)))
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"The path contains the invisible character U+{char.ConvertToUtf32(path, i):X4}, so two names that look the same could differ.");
            }

            if (WindowsReserved.Contains(c))
            {
                return $"The path contains \"{c}\", which Windows does not allow in file names (\":\" would also name an alternate data stream).";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "The path has an empty segment (\"//\" or a trailing \"/\").";
            }

            if (segment is "." or "..")
            {
                return "The path must not contain \".\" or \"..\" segments.";
            }

            if (segment[^1] is '.' or ' ')
            {
                return $"The segment \"{segment}\" ends in a dot or a space, which Windows silently drops (so it would name another file).";
            }

            if (DeviceName(segment) is { } device)
            {
                return $"The segment \"{segment}\" is the Windows device name {device}, with or without an extension; on Windows it opens the device, not a file.";
            }
        }

        return null;
    }

    /// <summary>
    /// The bidirectional embedding, override and isolate controls and the three directional marks:
    /// the characters that reorder how a name is displayed.
    /// </summary>
    public static bool IsBidiControl(char c) =>
        c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';

    /// <summary>Characters Windows refuses in a file name (the rest — controls, "/" and "\\" — are refused above).</summary>
    private static readonly SearchValues<char> WindowsReserved = SearchValues.Create("<>:\"|?*");

    private static readonly string[] Devices = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];

    /// <summary>
    /// The device a segment opens on Windows, or null. Windows compares the part before the first
    /// dot, case-insensitively and without trailing spaces, so "con.txt", "Nul.tar.gz" and
    /// "COM1 .js" are all devices; COM and LPT take the digits 0–9 and the superscripts ¹ ² ³.
    /// </summary>
    public static string? DeviceName(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var dot = segment.IndexOf('.', StringComparison.Ordinal);
        var stem = (dot < 0 ? segment : segment[..dot]).TrimEnd(' ').ToUpperInvariant();
        if (Devices.Contains(stem, StringComparer.Ordinal))
        {
            return stem;
        }

        return stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) &&
            stem[3] is >= '0' and <= '9' or '\u00B9' or '\u00B2' or '\u00B3'
            ? stem
            : null;
    }

    /// <summary>
    /// Decodes a raw (still percent-encoded) request path exactly once and checks it. Encoded
    /// separators are refused outright: a file name never legitimately contains them, and
    /// accepting them is how one plugin's URL would reach another plugin's files.
    /// </summary>
    public static bool TryDecodeRequestPath(string rawPath, out string decoded)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        decoded = "";
        if (rawPath.Contains("%2f", StringComparison.OrdinalIgnoreCase) ||
            rawPath.Contains("%5c", StringComparison.OrdinalIgnoreCase) ||
            rawPath.Contains("%00", StringComparison.Ordinal))
        {
            return false;
        }

        string candidate;
        try
        {
            candidate = Uri.UnescapeDataString(rawPath);
        }
        catch (UriFormatException)
        {
            return false;
        }

        if (Check(candidate) is not null)
        {
            return false;
        }

        decoded = candidate;
        return true;
    }
}
