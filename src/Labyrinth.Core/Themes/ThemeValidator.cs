using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;

namespace Labyrinth.Core.Themes;

/// <summary>The outcome of <see cref="ThemeValidator.Validate(ReadOnlySpan{byte})"/>: a complete theme, or every problem.</summary>
public sealed record ThemeValidationResult(ResolvedTheme? Theme, IReadOnlyList<PointerProblem> Problems)
{
    public bool IsValid => Theme is not null && Problems.Count == 0;
}

/// <summary>
/// Validates a theme document against the token catalogue and reports every problem at once,
/// each with a JSON pointer. Themes are data only: unknown keys, CSS, URLs and script-looking
/// strings are refused anywhere, and text/background pairs must reach WCAG AA.
/// </summary>
public static partial class ThemeValidator
{
    public const int MaxThemeBytes = 64 * 1024;
    public const int MaxNameLength = 100;
    public const int MaxProblems = 100;
    public const int MaxDepth = 16;

    private static readonly HashSet<string> RootKeys = new(StringComparer.Ordinal) { "themeID", "name", "tokens", "fractalGrid" };
    private static readonly HashSet<string> GridKeys = new(StringComparer.Ordinal) { "enabled", "groups" };
    private static readonly HashSet<string> GroupKeys = new(StringComparer.Ordinal) { "level", "axes", "color", "widthPx" };

    /// <summary>Fragments that only CSS, markup, URLs or script need; no token value ever contains one.</summary>
    private static readonly string[] Forbidden =
    [
        "url(", "expression(", "javascript:", "vbscript:", "data:", "://", "@import", "<", ">", ";", "{", "}", "\\", "/*", "*/",
    ];

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ThemeIdPattern();

    /// <summary>Validates a theme; omitted tokens come from the built-in light or dark theme.</summary>
    public static ThemeValidationResult Validate(ReadOnlySpan<byte> json) => Validate(json, BuiltInThemes.Light, BuiltInThemes.Dark);

    /// <summary>
    /// With <paramref name="light"/> and <paramref name="dark"/> null the theme must set every
    /// token itself (how the built-in themes are loaded).
    /// </summary>
    internal static ThemeValidationResult Validate(ReadOnlySpan<byte> json, ResolvedTheme? light, ResolvedTheme? dark)
    {
        var problems = new List<PointerProblem>();
        if (json.Length > MaxThemeBytes)
        {
            problems.Add(new("", string.Create(CultureInfo.InvariantCulture, $"The theme is {json.Length} bytes; the limit is {MaxThemeBytes} bytes.")));
            return new(null, problems);
        }

        var doc = StrictJson.Parse(json.ToArray(), "theme", MaxDepth, problems);
        if (doc is null)
        {
            return new(null, PointerProblems.Capped(problems, MaxProblems));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new("", "A theme must be a JSON object like {\"themeID\": \"midnight\", \"name\": \"Midnight\", \"tokens\": {…}}."));
                return new(null, problems);
            }

            var flagged = new HashSet<string>(StringComparer.Ordinal);
            FindForbidden(root, "", flagged, problems);

            foreach (var prop in root.EnumerateObject())
            {
                var p = JsonPointer.Append("", prop.Name);
                if (!RootKeys.Contains(prop.Name) && !flagged.Contains(p))
                {
                    problems.Add(new(p, "unknown key; a theme has only themeID, name, tokens and fractalGrid."));
                }
            }

            var themeId = ReadThemeId(root, flagged, problems);
            var name = ReadName(root, flagged, problems);
            var invalidTokens = new HashSet<string>(StringComparer.Ordinal);
            var declared = ReadTokens(root, flagged, invalidTokens, problems);
            var grid = ReadGrid(root, flagged, problems);

            ResolvedTheme? resolved = null;
            if (themeId is not null && name is not null)
            {
                var definition = new ThemeDefinition(themeId, name, declared, grid);
                var baseName = ThemeResolver.ChooseBase(declared);
                var baseTheme = baseName == ThemeResolver.DarkBase ? dark : light;
                if (light is null || dark is null)
                {
                    foreach (var token in ThemeCatalog.Tokens.Where(t => !declared.ContainsKey(t.Name) && !invalidTokens.Contains(t.Name)))
                    {
                        problems.Add(new(JsonPointer.Append("/tokens", token.Name), "a built-in theme must set every token."));
                    }
                }

                var tokens = ThemeResolver.Fill(declared, baseTheme?.Tokens);
                resolved = ThemeResolver.Build(definition, baseName, tokens, baseTheme?.FractalGrid);
                foreach (var failure in ThemeResolver.ContrastFailures(tokens, baseName, invalidTokens))
                {
                    problems.Add(new(JsonPointer.Append("/tokens", failure.Foreground), ContrastMessage(failure, declared, baseName)));
                }
            }

            return new(problems.Count == 0 ? resolved : null, PointerProblems.Capped(problems, MaxProblems));
        }
    }

    private static string ContrastMessage(ContrastFailure f, Dictionary<string, ThemeValue> declared, string baseName)
    {
        var message = $"contrast {ThemeResolver.FormatRatio(f.Ratio)}:1 against {f.Background}; needs at least 4.5:1.";
        var inherited = new[] { f.Foreground, f.Background }.Where(t => !declared.ContainsKey(t)).ToArray();
        return inherited.Length == 0
            ? message
            : message + $" ({string.Join(" and ", inherited)} not set, so taken from the {baseName} base theme; set {(inherited.Length == 1 ? "it" : "them")} explicitly.)";
    }

    /// <summary>Every string (keys included) is checked: a theme's values come from fixed vocabularies, so none needs CSS syntax.</summary>
    private static void FindForbidden(JsonElement el, string pointer, HashSet<string> flagged, List<PointerProblem> problems)
    {
        switch (el.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var prop in el.EnumerateObject())
                {
                    var p = JsonPointer.Append(pointer, prop.Name);
                    if (Dangerous(prop.Name) is { } keyHit)
                    {
                        flagged.Add(p);
                        problems.Add(new(p, ForbiddenMessage(keyHit, "key")));
                        continue;
                    }

                    FindForbidden(prop.Value, p, flagged, problems);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in el.EnumerateArray())
                {
                    FindForbidden(item, JsonPointer.Append(pointer, i++), flagged, problems);
                }

                break;
            case JsonValueKind.String:
                if (Dangerous(el.GetString()!) is { } hit)
                {
                    flagged.Add(pointer);
                    problems.Add(new(pointer, ForbiddenMessage(hit, "value")));
                }

                break;
        }
    }

    private static string ForbiddenMessage(string hit, string what) =>
        $"this {what} contains \"{hit}\", which only CSS, markup, URLs or script use; themes are data only (colors, allowlisted font names, numbers, enum values).";

    internal static string? Dangerous(string s)
    {
        foreach (var c in s)
        {
            if (char.IsControl(c))
            {
                return "a control character";
            }
        }

        return Forbidden.FirstOrDefault(f => s.Contains(f, StringComparison.OrdinalIgnoreCase));
    }

    private static string? ReadThemeId(JsonElement root, HashSet<string> flagged, List<PointerProblem> problems)
    {
        if (!root.TryGetProperty("themeID", out var v))
        {
            problems.Add(new("/themeID", "\"themeID\" is required, like \"midnight\"."));
            return null;
        }

        if (flagged.Contains("/themeID"))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String || !ThemeIdPattern().IsMatch(v.GetString()!))
        {
            problems.Add(new("/themeID", "a themeID is a lower-case letter, then up to 63 lower-case letters, digits or dashes, like \"midnight-lined\"."));
            return null;
        }

        return v.GetString();
    }

    private static string? ReadName(JsonElement root, HashSet<string> flagged, List<PointerProblem> problems)
    {
        if (!root.TryGetProperty("name", out var v))
        {
            problems.Add(new("/name", "\"name\" is required, like \"Midnight\"."));
            return null;
        }

        if (flagged.Contains("/name"))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()) || v.GetString()!.Length > MaxNameLength)
        {
            problems.Add(new("/name", string.Create(CultureInfo.InvariantCulture, $"\"name\" must be a non-blank string of at most {MaxNameLength} characters.")));
            return null;
        }

        return v.GetString()!.Trim();
    }

    private static Dictionary<string, ThemeValue> ReadTokens(JsonElement root, HashSet<string> flagged, HashSet<string> invalid, List<PointerProblem> problems)
    {
        var result = new Dictionary<string, ThemeValue>(StringComparer.Ordinal);
        if (!root.TryGetProperty("tokens", out var tokens))
        {
            problems.Add(new("/tokens", "\"tokens\" is required: an object of token name → value (it may be empty)."));
            return result;
        }

        if (tokens.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("/tokens", "\"tokens\" must be an object of token name → value."));
            return result;
        }

        foreach (var prop in tokens.EnumerateObject())
        {
            var p = JsonPointer.Append("/tokens", prop.Name);
            var token = ThemeCatalog.Find(prop.Name);
            if (flagged.Contains(p))
            {
                if (token is not null)
                {
                    invalid.Add(token.Name);
                }

                continue;
            }

            if (token is null)
            {
                problems.Add(new(p, "unknown token; the catalogue is in /schemas/theme.v1.json (docs/api.md \"Themes\")."));
                continue;
            }

            var value = ReadValue(token, prop.Value, p, problems);
            if (value is null)
            {
                invalid.Add(token.Name);
            }
            else
            {
                result[token.Name] = value;
            }
        }

        return result;
    }

    private static ThemeValue? ReadValue(ThemeToken token, JsonElement v, string pointer, List<PointerProblem> problems)
    {
        switch (token.Type)
        {
            case ThemeTokenType.Color:
                var color = ReadColor(v, pointer, problems);
                return color is null ? null : ThemeValue.OfColor(color.Value);
            case ThemeTokenType.Number:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var n))
                {
                    problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"must be a number from {token.Min} to {token.Max}.")));
                    return null;
                }

                if (n < token.Min || n > token.Max)
                {
                    problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"{n} is out of range; must be from {token.Min} to {token.Max}.")));
                    return null;
                }

                return ThemeValue.OfNumber(n);
            case ThemeTokenType.Font:
                if (v.ValueKind != JsonValueKind.String || !ThemeCatalog.Fonts.ContainsKey(v.GetString()!))
                {
                    problems.Add(new(pointer, $"not an allowed font; use one of {string.Join(", ", ThemeCatalog.Fonts.Keys.Select(k => "\"" + k + "\""))} (font names and URLs cannot be given)."));
                    return null;
                }

                return ThemeValue.OfFont(v.GetString()!);
            default:
                if (v.ValueKind != JsonValueKind.String || !token.Values.Contains(v.GetString()!, StringComparer.Ordinal))
                {
                    problems.Add(new(pointer, $"must be one of {string.Join(", ", token.Values.Select(k => "\"" + k + "\""))}."));
                    return null;
                }

                return ThemeValue.OfEnum(v.GetString()!);
        }
    }

    private static ThemeColor? ReadColor(JsonElement v, string pointer, List<PointerProblem> problems)
    {
        var errors = new List<(string SubPointer, string Message)>();
        var color = ThemeColor.Read(v, errors);
        problems.AddRange(errors.Select(e => new PointerProblem(pointer + e.SubPointer, e.Message)));
        return color;
    }

    private static FractalGrid? ReadGrid(JsonElement root, HashSet<string> flagged, List<PointerProblem> problems)
    {
        if (!root.TryGetProperty("fractalGrid", out var grid))
        {
            return null;
        }

        const string pointer = "/fractalGrid";
        if (grid.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "\"fractalGrid\" must be an object like {\"enabled\": true, \"groups\": […]}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknown(grid, pointer, GridKeys, flagged, problems, "a fractalGrid has only enabled and groups.");
        bool? enabled = null;
        if (!grid.TryGetProperty("enabled", out var en) || en.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            problems.Add(new(pointer + "/enabled", "\"enabled\" is required and must be true or false."));
        }
        else
        {
            enabled = en.GetBoolean();
        }

        var groups = new List<FractalGridGroup>();
        if (grid.TryGetProperty("groups", out var groupsEl))
        {
            var gp = pointer + "/groups";
            if (groupsEl.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new(gp, "\"groups\" must be an array of up to 3 groups."));
            }
            else
            {
                if (groupsEl.GetArrayLength() > ThemeCatalog.GridMaxGroups)
                {
                    problems.Add(new(gp, string.Create(CultureInfo.InvariantCulture, $"at most {ThemeCatalog.GridMaxGroups} groups (one per level: tileBorder, child, grandchild); found {groupsEl.GetArrayLength()}.")));
                }

                var levels = new HashSet<string>(StringComparer.Ordinal);
                var i = 0;
                foreach (var g in groupsEl.EnumerateArray())
                {
                    var group = ReadGroup(g, JsonPointer.Append(gp, i++), flagged, levels, problems);
                    if (group is not null)
                    {
                        groups.Add(group);
                    }
                }
            }
        }

        return problems.Count > before || enabled is null ? null : new FractalGrid(enabled.Value, groups);
    }

    private static FractalGridGroup? ReadGroup(JsonElement g, string pointer, HashSet<string> flagged, HashSet<string> levels, List<PointerProblem> problems)
    {
        if (g.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "a group must be an object like {\"level\": \"child\", \"axes\": \"both\", \"color\": [1, 1, 1, 0.1], \"widthPx\": 1}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknown(g, pointer, GroupKeys, flagged, problems, "a group has only level, axes, color and widthPx.");
        var level = ReadChoice(g, pointer, "level", ThemeCatalog.GridLevels, flagged, problems);
        if (level is not null && !levels.Add(level))
        {
            problems.Add(new(pointer + "/level", $"the level \"{level}\" appears in more than one group."));
        }

        var axes = ReadChoice(g, pointer, "axes", ThemeCatalog.GridAxes, flagged, problems);
        ThemeColor? color = null;
        if (!g.TryGetProperty("color", out var c))
        {
            problems.Add(new(pointer + "/color", $"\"color\" is required: {ThemeColor.Formats}."));
        }
        else if (!flagged.Contains(pointer + "/color"))
        {
            color = ReadColor(c, pointer + "/color", problems);
        }

        var width = 1.0;
        if (g.TryGetProperty("widthPx", out var w))
        {
            if (w.ValueKind != JsonValueKind.Number || !w.TryGetDouble(out width) || width < ThemeCatalog.GridMinWidthPx || width > ThemeCatalog.GridMaxWidthPx)
            {
                problems.Add(new(pointer + "/widthPx", string.Create(CultureInfo.InvariantCulture, $"\"widthPx\" must be a number from {ThemeCatalog.GridMinWidthPx} to {ThemeCatalog.GridMaxWidthPx}.")));
            }
        }

        return problems.Count > before || level is null || axes is null || color is null ? null : new FractalGridGroup(level, axes, color.Value, width);
    }

    private static string? ReadChoice(JsonElement el, string pointer, string key, IReadOnlyList<string> values, HashSet<string> flagged, List<PointerProblem> problems)
    {
        var p = pointer + "/" + key;
        var allowed = string.Join(", ", values.Select(v => "\"" + v + "\""));
        if (!el.TryGetProperty(key, out var v))
        {
            problems.Add(new(p, $"\"{key}\" is required: one of {allowed}."));
            return null;
        }

        if (flagged.Contains(p))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String || !values.Contains(v.GetString()!, StringComparer.Ordinal))
        {
            problems.Add(new(p, $"\"{key}\" must be one of {allowed}."));
            return null;
        }

        return v.GetString();
    }

    private static void RejectUnknown(JsonElement el, string pointer, HashSet<string> allowed, HashSet<string> flagged, List<PointerProblem> problems, string hint)
    {
        foreach (var prop in el.EnumerateObject())
        {
            var p = JsonPointer.Append(pointer, prop.Name);
            if (!allowed.Contains(prop.Name) && !flagged.Contains(p))
            {
                problems.Add(new(p, "unknown key; " + hint));
            }
        }
    }
}
