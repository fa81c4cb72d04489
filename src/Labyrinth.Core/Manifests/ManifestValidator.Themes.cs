using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Plugins;

namespace Labyrinth.Core.Manifests;

/// <summary>The <c>themes[]</c> part of the manifest; the theme files themselves are checked by <c>ThemePackageRules</c>.</summary>
public static partial class ManifestValidator
{
    public const int MaxThemes = 32;
    public const string ThemesFolder = "themes/";

    private static readonly HashSet<string> ThemeKeys = new(StringComparer.Ordinal) { "themeID", "name", "path", "preview" };

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ThemeIdPattern();

    private static List<ThemeEntry> ReadThemes(JsonElement root, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        var result = new List<ThemeEntry>();
        if (!root.TryGetProperty("themes", out var themes))
        {
            return result;
        }

        if (themes.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new("/themes", "\"themes\" must be an array like [{\"themeID\": \"midnight\", \"path\": \"themes/midnight.json\"}]."));
            return result;
        }

        if (themes.GetArrayLength() > MaxThemes)
        {
            problems.Add(new("/themes", string.Create(CultureInfo.InvariantCulture, $"A plugin may ship at most {MaxThemes} themes.")));
            return result;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var el in themes.EnumerateArray())
        {
            var pointer = JsonPointer.Append("/themes", index++);
            if (el.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new(pointer, "Each theme must be an object like {\"themeID\": \"midnight\", \"path\": \"themes/midnight.json\"}."));
                continue;
            }

            var before = problems.Count;
            RejectUnknownKeys(el, pointer, ThemeKeys, problems);
            var themeId = RequiredString(el, pointer, "themeID", problems, 64);
            if (themeId is not null && !ThemeIdPattern().IsMatch(themeId))
            {
                problems.Add(new(JsonPointer.Append(pointer, "themeID"), "A themeID is lower case letters, digits and dashes, starting with a letter (at most 64)."));
            }
            else if (themeId is not null && !ids.Add(themeId))
            {
                problems.Add(new(JsonPointer.Append(pointer, "themeID"), $"The theme \"{themeId}\" is declared twice."));
            }

            var name = OptionalString(el, pointer, "name", problems, 100);
            if (name is not null && Themes.ThemeValidator.Dangerous(name) is { } hit)
            {
                // The picker shows this name instead of the theme file's, so it obeys the theme file's rules.
                problems.Add(new(JsonPointer.Append(pointer, "name"), $"The name contains \"{hit}\", which only CSS, markup, URLs or script use."));
            }
            var path = RequiredString(el, pointer, "path", problems, PluginPath.MaxLength);
            if (path is not null)
            {
                CheckThemeFile(path, JsonPointer.Append(pointer, "path"), [".json"], "a .json file", files, problems);
            }

            var preview = OptionalString(el, pointer, "preview", problems, PluginPath.MaxLength);
            if (preview is not null)
            {
                CheckThemeFile(preview, JsonPointer.Append(pointer, "preview"), [".png", ".webp"], "a .png or .webp image", files, problems);
            }

            if (problems.Count == before && themeId is not null && path is not null)
            {
                result.Add(new ThemeEntry(themeId, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), path, preview));
            }
        }

        return result;
    }

    private static void CheckThemeFile(string path, string pointer, string[] extensions, string what, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        if (PluginPath.Check(path) is { } pathError)
        {
            problems.Add(new(pointer, pathError));
        }
        else if (!path.StartsWith(ThemesFolder, StringComparison.Ordinal) || !extensions.Any(e => path.EndsWith(e, StringComparison.Ordinal)))
        {
            problems.Add(new(pointer, $"\"{path}\" must be {what} under themes/."));
        }
        else if (files is not null && !files.Contains(path))
        {
            problems.Add(new(pointer, $"\"{path}\" is not in the package."));
        }
    }
}
