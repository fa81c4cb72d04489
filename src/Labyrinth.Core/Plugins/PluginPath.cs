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

        foreach (var c in path)
        {
            if (c == '\\')
            {
                return "The path must use \"/\" separators, not \"\\\".";
            }

            if (char.IsControl(c))
            {
                return "The path contains a control character.";
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
        }

        return null;
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
