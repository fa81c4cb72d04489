namespace Labyrinth.Core.Text;

/// <summary>
/// Text a plugin (or anyone but the reader) wrote that a person reads in the host's own UI: a
/// plugin's name in a consent prompt, its log lines on the admin page, a file name in the
/// registry. These characters make such text read differently from what it is, so the host
/// refuses them where the text is declared and replaces them where it is only shown.
/// </summary>
public static class DisplayText
{
    /// <summary>
    /// Controls (a forged line in a log view), the line and paragraph separators (a new line
    /// too, in most viewers), and the bidirectional embeddings, overrides and isolates ("Trojan
    /// Source": everything after an unclosed U+202E in a prompt like "Let {name} use …?" displays
    /// reversed, so a name can rewrite the rest of the sentence). The directional marks
    /// (U+200E, U+200F, U+061C) stay allowed: they are how right-to-left names are written and
    /// reorder nothing beyond themselves.
    /// </summary>
    public static bool IsDeceptive(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || IsBidiFormatting(c);

    /// <summary>The embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).</summary>
    public static bool IsBidiFormatting(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>The first deceptive character of <paramref name="text"/> (tab and line feed allowed when <paramref name="multiline"/>), or null.</summary>
    public static char? FirstDeceptive(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (IsDeceptive(c) && !(multiline && c is '\n' or '\t' or '\r'))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>
    /// Why a declared display string <paramref name="key"/> (a manifest's or a settings form's name,
    /// title, description…) is refused, or null when it may be shown: a description may break lines,
    /// nothing else may. One sentence for every place that declares such strings.
    /// </summary>
    public static string? Refusal(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(key);
        return FirstDeceptive(text, multiline: key == "description") is { } bad
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"\"{key}\" contains U+{(int)bad:X4}, a control, line-separator or bidirectional-override character that would make it display as something other than it is.")
            : null;
    }

    /// <summary><paramref name="text"/> with each deceptive character replaced by a space.</summary>
    public static string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var index = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (IsDeceptive(text[i]))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return text;
        }

        return string.Create(text.Length, (text, index), static (span, state) =>
        {
            state.text.AsSpan().CopyTo(span);
            for (var i = state.index; i < span.Length; i++)
            {
                if (IsDeceptive(span[i]))
                {
                    span[i] = ' ';
                }
            }
        });
    }
}
