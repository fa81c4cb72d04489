using System.Globalization;
using System.Text.Json;

namespace Labyrinth.Core.Themes;

/// <summary>
/// An sRGB color with straight (not premultiplied) alpha, every component in 0–1. Themes write it
/// as <c>#RGB</c>, <c>#RRGGBB</c>, <c>#RRGGBBAA</c> or <c>[r, g, b, a]</c>; the host only ever
/// emits it as <c>#rrggbb</c> or <c>rgba(r, g, b, a)</c>, so what reaches CSS is always a color.
/// </summary>
public readonly record struct ThemeColor(double R, double G, double B, double A)
{
    public const string Formats = "\"#RGB\", \"#RRGGBB\", \"#RRGGBBAA\" or [r, g, b, a] with each component from 0 to 1";

    public static ThemeColor White { get; } = new(1, 1, 1, 1);

    public static ThemeColor Black { get; } = new(0, 0, 0, 1);

    public bool IsOpaque => A >= 1;

    /// <summary>Reads a color token; on failure returns null and adds (relative pointer, message) pairs.</summary>
    public static ThemeColor? Read(JsonElement el, List<(string SubPointer, string Message)> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (el.ValueKind == JsonValueKind.String)
        {
            var s = el.GetString()!;
            if (TryParseHex(s, out var c))
            {
                return c;
            }

            errors.Add(("", $"not a color; use {Formats}."));
            return null;
        }

        if (el.ValueKind != JsonValueKind.Array)
        {
            errors.Add(("", $"must be a color: {Formats}."));
            return null;
        }

        if (el.GetArrayLength() != 4)
        {
            errors.Add(("", string.Create(CultureInfo.InvariantCulture, $"an array color has exactly 4 components [r, g, b, a], not {el.GetArrayLength()}.")));
            return null;
        }

        var components = new double[4];
        var ok = true;
        var i = 0;
        foreach (var item in el.EnumerateArray())
        {
            var sub = "/" + i.ToString(CultureInfo.InvariantCulture);
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var v))
            {
                errors.Add((sub, "a color component must be a number from 0 to 1."));
                ok = false;
            }
            else if (v is < 0 or > 1)
            {
                errors.Add((sub, string.Create(CultureInfo.InvariantCulture, $"color component {v} is outside 0–1.")));
                ok = false;
            }
            else
            {
                components[i] = v;
            }

            i++;
        }

        return ok ? new ThemeColor(components[0], components[1], components[2], components[3]) : null;
    }

    public static bool TryParseHex(string s, out ThemeColor color)
    {
        ArgumentNullException.ThrowIfNull(s);
        color = default;
        if (s.Length is not (4 or 7 or 9) || s[0] != '#')
        {
            return false;
        }

        var digits = new int[s.Length - 1];
        for (var i = 1; i < s.Length; i++)
        {
            var d = HexDigit(s[i]);
            if (d < 0)
            {
                return false;
            }

            digits[i - 1] = d;
        }

        if (digits.Length == 3)
        {
            color = new ThemeColor(digits[0] * 17 / 255.0, digits[1] * 17 / 255.0, digits[2] * 17 / 255.0, 1);
            return true;
        }

        double Pair(int at) => ((digits[at] * 16) + digits[at + 1]) / 255.0;
        color = new ThemeColor(Pair(0), Pair(2), Pair(4), digits.Length == 8 ? Pair(6) : 1);
        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    public static byte ToByte(double component) => (byte)Math.Round(Math.Clamp(component, 0, 1) * 255, MidpointRounding.AwayFromZero);

    /// <summary><c>#rrggbb</c> when opaque, else <c>rgba(r, g, b, a)</c> with a rounded to 3 decimals.</summary>
    public string ToCss() => IsOpaque
        ? string.Create(CultureInfo.InvariantCulture, $"#{ToByte(R):x2}{ToByte(G):x2}{ToByte(B):x2}")
        : ToRgba(A);

    /// <summary>This color's RGB with another alpha, as <c>rgba(…)</c>.</summary>
    public string ToRgba(double alpha) =>
        string.Create(CultureInfo.InvariantCulture, $"rgba({ToByte(R)}, {ToByte(G)}, {ToByte(B)}, {Math.Round(Math.Clamp(alpha, 0, 1), 3)})");

    public ThemeColor WithAlpha(double alpha) => this with { A = Math.Clamp(alpha, 0, 1) };

    /// <summary>This color painted over <paramref name="backdrop"/> (source-over).</summary>
    public ThemeColor Over(ThemeColor backdrop)
    {
        var a = A + (backdrop.A * (1 - A));
        if (a <= 0)
        {
            return new ThemeColor(0, 0, 0, 0);
        }

        var alpha = A;
        double Mix(double c, double b) => ((c * alpha) + (b * backdrop.A * (1 - alpha))) / a;
        return new ThemeColor(Mix(R, backdrop.R), Mix(G, backdrop.G), Mix(B, backdrop.B), a);
    }

    /// <summary>WCAG 2.x relative luminance of the RGB part (alpha ignored: composite first).</summary>
    public double RelativeLuminance()
    {
        static double Linear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        return (0.2126 * Linear(R)) + (0.7152 * Linear(G)) + (0.0722 * Linear(B));
    }

    /// <summary>WCAG contrast ratio (1–21) of two opaque colors.</summary>
    public static double Contrast(ThemeColor a, ThemeColor b)
    {
        var la = a.RelativeLuminance();
        var lb = b.RelativeLuminance();
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    /// <summary>True when white text reads better on this color than black text (WCAG luminance ≈ 0.179).</summary>
    public bool IsDark() => Contrast(this, White) >= Contrast(this, Black);
}
