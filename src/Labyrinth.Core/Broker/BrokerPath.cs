namespace Labyrinth.Core.Broker;

/// <summary>
/// The relative path a card asks the broker for. The broker appends it to the service's base URL,
/// so anything that could change the origin or climb out of the base path is refused before any
/// prefix check: absolute URLs, "//" (scheme-relative), dot segments, encoded dots and separators
/// (an upstream may decode them once more), backslashes, control characters, and "?"/"#" (the
/// query travels separately and is escaped by the broker).
/// </summary>
public static class BrokerPath
{
    public const int MaxLength = 2048;

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
