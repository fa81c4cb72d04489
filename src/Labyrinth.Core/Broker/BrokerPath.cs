using System.Text;

namespace Labyrinth.Core.Broker;

/// <summary>
/// The relative path a card asks the broker for. The broker appends it to the service's base URL,
/// so anything that could change the origin or climb out of the base path is refused before any
/// prefix check: absolute URLs, "//" (scheme-relative), dot segments, encoded dots and separators
/// (an upstream may decode them once more), backslashes, control characters, and "?"/"#" (the
/// query travels separately and is escaped by the broker). Percent-encoded bytes are then decoded
/// strictly as UTF-8 and the decoded text is checked again: an invalid sequence (an overlong
/// "%c0%ae%c0%ae" is ".." to a lenient decoder), an encoded control character, or a segment that
/// Unicode compatibility normalisation turns into a dot segment or a separator ("．．", "／") is
/// refused, since an upstream that decodes or normalises would otherwise see what the checks never did.
/// </summary>
public static class BrokerPath
{
    public const int MaxLength = 2048;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns null when <paramref name="path"/> is a clean relative path, else a sentence saying why not.</summary>
    public static string? Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "The path is empty; it must start with \"/\".";
        }

        if (path.Length > MaxLength)
        {
            return $"The path is longer than {MaxLength} characters.";
        }

        if (path[0] != '/')
        {
            return "The path must start with \"/\" (absolute URLs are not allowed).";
        }

        foreach (var c in path)
        {
            if (char.IsControl(c) || c == '\u2028' || c == '\u2029')
            {
                return "The path contains a control character.";
            }

            switch (c)
            {
                case '\\':
                    return "The path must not contain a backslash.";
                case '?':
                case '#':
                    return "The path must not contain \"?\" or \"#\"; send query parameters in \"query\".";
                case ' ':
                    return "The path must not contain spaces; percent-encode them.";
                case ';':
                    // Matrix parameters: Tomcat/Spring-style servers read "/..;/" as "/../", which would
                    // walk out of the allowed prefix after our check.
                    return "The path must not contain \";\".";
            }
        }

        if (path.Contains("//", StringComparison.Ordinal))
        {
            return "The path must not contain \"//\".";
        }

        if (path.Contains("%2e", StringComparison.OrdinalIgnoreCase) || path.Contains("%2f", StringComparison.OrdinalIgnoreCase) ||
            path.Contains("%5c", StringComparison.OrdinalIgnoreCase) || path.Contains("%00", StringComparison.Ordinal) ||
            path.Contains("%25", StringComparison.Ordinal))
        {
            return "The path must not contain encoded dots, separators, NUL or percent signs.";
        }

        foreach (var segment in path[1..].Split('/'))
        {
            if (segment is "." or ".." || segment.StartsWith("..", StringComparison.Ordinal))
            {
                return "The path must not contain \".\" or \"..\" segments.";
            }
        }

        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && (i + 2 >= path.Length || !Uri.IsHexDigit(path[i + 1]) || !Uri.IsHexDigit(path[i + 2])))
            {
                return "The path has a \"%\" that is not followed by two hex digits.";
            }

            if (path[i] > '\u007e')
            {
                return "The path must be ASCII; percent-encode other characters.";
            }
        }

        return CheckDecoded(path);
    }

    /// <summary>
    /// <paramref name="text"/> with every "%XX" escape decoded, the bytes read strictly as UTF-8;
    /// null when they are not valid UTF-8 (overlong forms, surrogates, truncated sequences) or the
    /// text itself has an unpaired surrogate. A "%" not followed by two hex digits stays as it is.
    /// </summary>
    public static string? DecodeStrict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            if (!text.Contains('%', StringComparison.Ordinal))
            {
                StrictUtf8.GetByteCount(text);
                return text;
            }

            var bytes = new List<byte>(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
                {
                    bytes.Add((byte)Convert.ToInt32(text.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1;
                    bytes.AddRange(StrictUtf8.GetBytes(text.Substring(i, length)));
                    i += length - 1;
                }
            }

            return StrictUtf8.GetString([.. bytes]);
        }
        catch (ArgumentException)
        {
            // EncoderFallbackException / DecoderFallbackException: no single UTF-8 reading exists.
            return null;
        }
    }

    // The path has passed the raw checks (ASCII, every "%" followed by two hex digits).
    private static string? CheckDecoded(string path)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return null;
        }

        if (DecodeStrict(path) is not { } decoded)
        {
            return "The path's percent-encoded bytes are not valid UTF-8 (for example an overlong encoding of \".\" or \"/\"); encode each character once, as UTF-8.";
        }

        foreach (var c in decoded)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return "The path contains a percent-encoded control character.";
            }
        }

        foreach (var segment in decoded[1..].Split('/'))
        {
            if (segment.All(char.IsAscii))
            {
                continue;
            }

            var normalized = segment.Normalize(NormalizationForm.FormKC);
            if (normalized is "." or ".." || normalized.StartsWith("..", StringComparison.Ordinal) || normalized.AsSpan().IndexOfAny("/\\;%") >= 0)
            {
                return "The path has an encoded character that some servers read as a dot segment or a separator (such as a full-width \".\" or \"/\").";
            }
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="path"/> is one of <paramref name="prefixes"/> or lies below one:
    /// "/chat/completions" allows "/chat/completions" and "/chat/completions/x", never "/chat/completionsX".
    /// </summary>
    public static bool IsAllowed(string path, IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(prefixes);
        foreach (var prefix in prefixes)
        {
            if (prefix == "/" ||
                string.Equals(path, prefix, StringComparison.Ordinal) ||
                (path.StartsWith(prefix, StringComparison.Ordinal) && (prefix.EndsWith('/') || path[prefix.Length] == '/')))
            {
                return true;
            }
        }

        return false;
    }
}
