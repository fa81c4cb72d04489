using System.Globalization;

namespace Labyrinth.Core.Themes;

/// <summary>A text/background pair below AA, with what was actually compared.</summary>
public sealed record ContrastFailure(string Foreground, string Background, double Ratio);

/// <summary>
/// Fills a theme's omitted tokens from a base, derives the CSS custom properties, and measures
/// the contrast pairs. Pure functions of the token values.
/// </summary>
public static class ThemeResolver
{
    public const string LightBase = "light";
    public const string DarkBase = "dark";

    /// <summary>
    /// The base a partial theme falls back to: dark when its canvas (else its panel, else its page
    /// background) reads better with white text, light otherwise.
    /// </summary>
    public static string ChooseBase(IReadOnlyDictionary<string, ThemeValue> declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        foreach (var name in new[] { "canvas.clearColor", "ui.panel.background", "ui.background" })
        {
            if (declared.TryGetValue(name, out var v) && v.Type == ThemeTokenType.Color)
            {
                return v.Color.Over(ThemeColor.White).IsDark() ? DarkBase : LightBase;
            }
        }

        return LightBase;
    }

    /// <summary>Every catalogue token: the declared value, else the base's.</summary>
    public static Dictionary<string, ThemeValue> Fill(IReadOnlyDictionary<string, ThemeValue> declared, IReadOnlyDictionary<string, ThemeValue>? baseTokens)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var result = new Dictionary<string, ThemeValue>(StringComparer.Ordinal);
        foreach (var token in ThemeCatalog.Tokens)
        {
            if (declared.TryGetValue(token.Name, out var v))
            {
                result[token.Name] = v;
            }
            else if (baseTokens is not null && baseTokens.TryGetValue(token.Name, out var b))
            {
                result[token.Name] = b;
            }
        }

        return result;
    }

    public static ResolvedTheme Build(ThemeDefinition definition, string baseName, IReadOnlyDictionary<string, ThemeValue> tokens, FractalGrid? baseGrid)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(tokens);
        var grid = definition.FractalGrid switch
        {
            null => baseGrid ?? FractalGrid.Disabled,
            { Enabled: false } => FractalGrid.Disabled,
            { Groups.Count: 0 } => baseGrid is { Enabled: true } ? baseGrid : FractalGrid.Disabled,
            var own => own,
        };
        return new ResolvedTheme(definition, baseName, tokens, grid, CssVars(tokens));
    }

    /// <summary>The fixed mapping from tokens to <c>--lab-*</c> custom properties (sorted by name).</summary>
    public static SortedDictionary<string, string> CssVars(IReadOnlyDictionary<string, ThemeValue> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var vars = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in ThemeCatalog.Tokens)
        {
            if (!tokens.TryGetValue(token.Name, out var v))
            {
                continue;
            }

            switch (token.Type)
            {
                case ThemeTokenType.Color when token.Name == "ui.shadow":
                    // The token's alpha is the shadow strength; the host owns the geometry.
                    var a = v.Color.A;
                    vars["--lab-shadow"] = $"0 1px 2px {v.Color.ToRgba(a * 0.5)}, 0 2px 8px {v.Color.ToRgba(a * 0.5)}";
                    vars["--lab-shadow-lg"] = $"0 4px 10px {v.Color.ToRgba(a * 2 / 3)}, 0 14px 32px {v.Color.ToRgba(a)}";
                    break;
                case ThemeTokenType.Color:
                    vars[token.CssVars[0]] = v.Color.ToCss();
                    break;
                case ThemeTokenType.Font:
                    vars[token.CssVars[0]] = ThemeCatalog.Fonts[v.Name];
                    break;
                case ThemeTokenType.Number:
                    vars[token.CssVars[0]] = Px(v.Number);
                    break;
                case ThemeTokenType.Enum when token.Name == "ui.panel.material":
                    var material = ThemeCatalog.Material(v.Name);
                    vars["--lab-panel-opacity"] = material.Opacity.ToString(CultureInfo.InvariantCulture);
                    vars["--lab-panel-blur"] = Px(material.BlurPx);
                    break;
            }
        }

        return vars;
    }

    private static string Px(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture) + "px";

    /// <summary>
    /// The opaque color each background token is actually seen as: the page background over the
    /// base's backdrop, the canvas over the page, panels (with their material's opacity) over the
    /// canvas, accent and warning fills over panels.
    /// </summary>
    public static Dictionary<string, ThemeColor> EffectiveBackgrounds(IReadOnlyDictionary<string, ThemeValue> tokens, string baseName)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var backdrop = baseName == DarkBase ? ThemeColor.Black : ThemeColor.White;
        ThemeColor C(string name) => tokens.TryGetValue(name, out var v) && v.Type == ThemeTokenType.Color ? v.Color : backdrop;
        var material = tokens.TryGetValue("ui.panel.material", out var m) ? ThemeCatalog.Material(m.Name) : ThemeCatalog.Materials[0];

        var page = C("ui.background").Over(backdrop);
        var canvas = C("canvas.clearColor").Over(page);
        var panelColor = C("ui.panel.background");
        var panel = panelColor.WithAlpha(panelColor.A * material.Opacity).Over(canvas);
        return new Dictionary<string, ThemeColor>(StringComparer.Ordinal)
        {
            ["ui.background"] = page,
            ["canvas.clearColor"] = canvas,
            ["ui.panel.background"] = panel,
            ["ui.accent"] = C("ui.accent").Over(panel),
            ["ui.warning.background"] = C("ui.warning.background").Over(panel),
        };
    }

    /// <summary>Every <see cref="ThemeCatalog.ContrastPairs"/> pair below <see cref="ThemeCatalog.MinContrast"/>.</summary>
    public static List<ContrastFailure> ContrastFailures(IReadOnlyDictionary<string, ThemeValue> tokens, string baseName, ISet<string>? skip = null)
    {
        var backgrounds = EffectiveBackgrounds(tokens, baseName);
        var failures = new List<ContrastFailure>();
        foreach (var (fg, bg) in ThemeCatalog.ContrastPairs)
        {
            if (skip is not null && (skip.Contains(fg) || skip.Contains(bg)))
            {
                continue;
            }

            if (!tokens.TryGetValue(fg, out var text) || text.Type != ThemeTokenType.Color || !backgrounds.TryGetValue(bg, out var back))
            {
                continue;
            }

            var ratio = ThemeColor.Contrast(text.Color.Over(back), back);
            if (ratio < ThemeCatalog.MinContrast)
            {
                failures.Add(new ContrastFailure(fg, bg, ratio));
            }
        }

        return failures;
    }

    /// <summary>A ratio as "2.31" — truncated, so a failing 4.499 never prints as a passing-looking 4.50.</summary>
    public static string FormatRatio(double ratio) => (Math.Floor(ratio * 100) / 100).ToString("0.00", CultureInfo.InvariantCulture);
}
