using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Themes;

namespace Labyrinth.Core.Tests.Themes;

internal static class ThemeTestData
{
    /// <summary>The seed's Midnight theme (seed 002) with secondary colors chosen to pass AA.</summary>
    public const string Midnight = """
        {
          "themeID": "midnight",
          "name": "Midnight",
          "tokens": {
            "canvas.clearColor": "#121316",
            "ui.accent": [0.2, 0.8, 1.0, 1.0],
            "ui.text.primary": "#FFFFFF",
            "ui.panel.material": "ultraThin",
            "ui.font.body": "system",
            "ui.radius.panel": 12,
            "ui.spacing.menu": 12
          },
          "fractalGrid": {
            "enabled": true,
            "groups": [
              { "level": "tileBorder", "axes": "horizontal", "color": [1, 1, 1, 0.16], "widthPx": 1.5 },
              { "level": "child", "axes": "horizontal", "color": [1, 1, 1, 0.09], "widthPx": 1.0 },
              { "level": "grandchild", "axes": "horizontal", "color": [1, 1, 1, 0.05], "widthPx": 1.0 }
            ]
          }
        }
        """;

    /// <summary>A small valid light theme to mutate: one token at a time is enough to test a rule.</summary>
    public static JsonObject Minimal() => new()
    {
        ["themeID"] = "paper",
        ["name"] = "Paper",
        ["tokens"] = new JsonObject(),
    };

    public static JsonObject WithToken(string token, JsonNode? value)
    {
        var theme = Minimal();
        theme["tokens"]!.AsObject()[token] = value;
        return theme;
    }

    public static ThemeValidationResult Validate(JsonNode theme) => ThemeValidator.Validate(Encoding.UTF8.GetBytes(theme.ToJsonString()));

    public static ThemeValidationResult Validate(string json) => ThemeValidator.Validate(Encoding.UTF8.GetBytes(json));

    public static PointerProblem Single(ThemeValidationResult result, string pointer)
    {
        Assert.False(result.IsValid);
        return Assert.Single(result.Problems, p => p.Pointer == pointer);
    }

    public static string Describe(ThemeValidationResult result) => string.Join("\n", result.Problems.Select(p => $"{p.Pointer}: {p.Message}"));
}
