using System.Globalization;

namespace Labyrinth.Core.Themes;

/// <summary>One validated token value. Exactly one of the payloads is meaningful, per <see cref="Type"/>.</summary>
public sealed record ThemeValue
{
    private ThemeValue(ThemeTokenType type, ThemeColor color, double number, string name)
    {
        Type = type;
        Color = color;
        Number = number;
        Name = name;
    }

    public ThemeTokenType Type { get; }

    public ThemeColor Color { get; }

    public double Number { get; }

    /// <summary>The font key (<see cref="ThemeCatalog.Fonts"/>) or the enum value.</summary>
    public string Name { get; }

    public static ThemeValue OfColor(ThemeColor color) => new(ThemeTokenType.Color, color, 0, "");

    public static ThemeValue OfNumber(double number) => new(ThemeTokenType.Number, default, number, "");

    public static ThemeValue OfFont(string font) => new(ThemeTokenType.Font, default, 0, font);

    public static ThemeValue OfEnum(string value) => new(ThemeTokenType.Enum, default, 0, value);

    /// <summary>The value as it goes on the wire: colors as CSS colors, numbers as numbers, names as strings.</summary>
    public object ToWire() => Type switch
    {
        ThemeTokenType.Color => Color.ToCss(),
        ThemeTokenType.Number => Number,
        _ => Name,
    };

    public override string ToString() => ToWire() is double d ? d.ToString(CultureInfo.InvariantCulture) : (string)ToWire();
}

public sealed record FractalGridGroup(string Level, string Axes, ThemeColor Color, double WidthPx);

/// <summary>The fractal grid the board draws behind cards: up to one group per level.</summary>
public sealed record FractalGrid(bool Enabled, IReadOnlyList<FractalGridGroup> Groups)
{
    public static FractalGrid Disabled { get; } = new(false, []);
}

/// <summary>A theme as its author wrote it (only the tokens it sets), after validation.</summary>
public sealed record ThemeDefinition(string ThemeId, string Name, IReadOnlyDictionary<string, ThemeValue> Tokens, FractalGrid? FractalGrid);

/// <summary>
/// A complete theme: every catalogue token set (omitted ones from the light or dark base, chosen
/// by the canvas luminance), the fractal grid, and the CSS custom properties the host derives.
/// </summary>
public sealed record ResolvedTheme(
    ThemeDefinition Definition,
    string Base,
    IReadOnlyDictionary<string, ThemeValue> Tokens,
    FractalGrid FractalGrid,
    IReadOnlyDictionary<string, string> CssVars)
{
    public string ThemeId => Definition.ThemeId;

    public string Name => Definition.Name;

    /// <summary>What cards receive as <c>themeTokens</c>: <see cref="CssVars"/> without the <c>--lab-</c> prefix.</summary>
    public IReadOnlyDictionary<string, string> CardTokens { get; } = CssVars.ToDictionary(
        kv => kv.Key.StartsWith(ThemeCatalog.CssPrefix, StringComparison.Ordinal) ? kv.Key[ThemeCatalog.CssPrefix.Length..] : kv.Key,
        kv => kv.Value,
        StringComparer.Ordinal);
}
