using System.Globalization;
using System.Text;

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
    /// Combining marks one character may carry, at most. Scripts need two or three (Vietnamese,
    /// Thai, pointed Hebrew, Tibetan stacks); "zalgo" text stacks dozens, drawn over the lines
    /// above and below, so a name could cover the host's own words in a prompt.
    /// </summary>
    public const int MaxCombiningMarks = 5;

    /// <summary>
    /// Controls (a forged line in a log view), the line and paragraph separators (a new line
    /// too, in most viewers), the bidirectional embeddings, overrides and isolates ("Trojan
    /// Source": everything after an unclosed U+202E in a prompt like "Let {name} use …?" displays
    /// reversed, so a name can rewrite the rest of the sentence), and invisible characters
    /// (<see cref="IsInvisible"/>). An unpaired surrogate is no character at all: it is drawn as
    /// U+FFFD and PostgreSQL's driver refuses it, so it counts too.
    /// </summary>
    public static bool IsDeceptive(Rune r) => Kind(r) is not null;

    /// <summary>
    /// Characters that draw nothing, so two strings that look the same differ, or text no reader
    /// sees rides along (Unicode tag characters, U+E0000–U+E007F, spell out hidden ASCII that
    /// text-processing tools still read): the format characters (zero-width space, word joiner,
    /// soft hyphen, BOM, interlinear annotation, tags…), everything in plane 14 (tags and the
    /// variation selectors supplement), the Hangul fillers, the blank braille pattern, the
    /// combining grapheme joiner and the Khmer inherent vowels. Allowed, because scripts need them:
    /// the directional marks (U+200E, U+200F, U+061C), which are how right-to-left names are written
    /// and reorder nothing beyond themselves, and the zero-width joiner and non-joiner (U+200D,
    /// U+200C), which Persian, the Indic scripts and emoji sequences are written with.
    /// </summary>
    public static bool IsInvisible(Rune r) => r.Value switch
    {
        0x200C or 0x200D or 0x200E or 0x200F or 0x061C => false,
        >= 0xE0000 and <= 0xEFFFF => true,
        0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x034F or 0x17B4 or 0x17B5 or 0x180E => true,
        _ => Rune.GetUnicodeCategory(r) == UnicodeCategory.Format,
    };

    /// <summary>The embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069).</summary>
    public static bool IsBidiFormatting(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>A character that stacks on the one before it (non-spacing or enclosing mark).</summary>
    private static bool IsCombiningMark(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;

    private static string? Kind(Rune r) => r.Value switch
    {
        _ when Rune.IsControl(r) => "a control character",
        0x2028 or 0x2029 => "a line or paragraph separator",
        >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 => "a bidirectional embedding, override or isolate",
        _ when IsInvisible(r) => "an invisible character",
        _ => null,
    };

    /// <summary>
    /// Why <paramref name="text"/> would display as something other than it is, naming the first
    /// offending character (tab and line breaks allowed when <paramref name="multiline"/>), or null.
    /// </summary>
    public static string? FirstDeception(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var marks = 0;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out var used) != System.Buffers.OperationStatus.Done)
            {
                return string.Create(CultureInfo.InvariantCulture, $"U+{(int)text[i]:X4}, an unpaired surrogate,");
            }

            i += used;
            if (multiline && r.Value is 0x0A or 0x09 or 0x0D)
            {
                marks = 0;
                continue;
            }

            if (Kind(r) is { } kind)
            {
                return string.Create(CultureInfo.InvariantCulture, $"U+{r.Value:X4}, {kind},");
            }

            marks = IsCombiningMark(r) ? marks + 1 : 0;
            if (marks > MaxCombiningMarks)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"more than {MaxCombiningMarks} combining marks on one character (U+{r.Value:X4}), which draw over the text around it,");
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
        return FirstDeception(text, multiline: key == "description") is { } why
            ? $"\"{key}\" contains {why} so it would display as something other than it is."
            : null;
    }

    /// <summary>
    /// <paramref name="text"/> with each deceptive character (and unpaired surrogate) replaced by
    /// <paramref name="replacement"/>, and combining marks beyond <see cref="MaxCombiningMarks"/> on
    /// one character dropped. Text that has none comes back as it is.
    /// </summary>
    public static string Scrub(string text, string replacement = " ")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(replacement);
        if (FirstDeception(text) is null)
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        var marks = 0;
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out var used) != System.Buffers.OperationStatus.Done)
            {
                clean.Append(replacement);
                i += Math.Max(1, used);
                marks = 0;
                continue;
            }

            i += used;
            if (IsDeceptive(r))
            {
                clean.Append(replacement);
                marks = 0;
                continue;
            }

            marks = IsCombiningMark(r) ? marks + 1 : 0;
            if (marks <= MaxCombiningMarks)
            {
                clean.Append(r.ToString());
            }
        }

        return clean.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="max"/> UTF-16 units, never between the
    /// halves of a surrogate pair, with "…" appended when something was cut.
    /// </summary>
    public static string Clip(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return text[..cut] + "…";
    }
}
