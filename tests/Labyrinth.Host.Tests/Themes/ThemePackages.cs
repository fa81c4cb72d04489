using System.Text;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Themes;

/// <summary>Themes-only packages (good and hostile) for the theme tests.</summary>
internal static class ThemePackages
{
    public const string Id = "com.example.themes";

    /// <summary>A small dark theme that passes every rule.</summary>
    public static string Theme(string themeId = "dusk", string name = "Dusk") => $$"""
        { "themeID": "{{themeId}}", "name": "{{name}}",
          "tokens": { "canvas.clearColor": "#101418", "ui.accent": "#44aaff", "ui.text.primary": "#f0f0f0" } }
        """;

    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    public static Dictionary<string, byte[]> Plugin(string version = "1.0.0", string? theme = null, string themeId = "dusk", bool preview = true)
    {
        var entry = new Dictionary<string, object> { ["themeID"] = themeId, ["path"] = "themes/dusk.json" };
        if (preview)
        {
            entry["preview"] = "themes/dusk.png";
        }

        var manifest = new Dictionary<string, object>
        {
            ["id"] = Id,
            ["name"] = "Example themes",
            ["version"] = version,
            ["minHostAPIVersion"] = "1.0.0",
            ["themes"] = new[] { entry },
        };
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["themes/dusk.json"] = Encoding.UTF8.GetBytes(theme ?? Theme()),
        };
        if (preview)
        {
            files["themes/dusk.png"] = Png;
        }

        return files;
    }
}
