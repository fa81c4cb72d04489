using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Labyrinth.Core.Themes;
using static Labyrinth.Core.Tests.Themes.ThemeTestData;

namespace Labyrinth.Core.Tests.Themes;

public sealed class ThemeCatalogTests
{
    [Fact]
    public void BuiltInThemes_ValidateOnTheirOwn()
    {
        foreach (var file in new[] { "light.json", "dark.json" })
        {
            var result = BuiltInThemes.ValidateBuiltIn(file);

            Assert.True(result.IsValid, file + ": " + Describe(result));
        }
    }

    [Fact]
    public void BuiltInThemes_SetEveryToken()
    {
        foreach (var theme in BuiltInThemes.All)
        {
            Assert.Equal(ThemeCatalog.Tokens.Select(t => t.Name).Order(StringComparer.Ordinal), theme.Definition.Tokens.Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void BuiltInThemes_ChooseTheirOwnBase()
    {
        Assert.Equal("light", BuiltInThemes.Light.Base);
        Assert.Equal("dark", BuiltInThemes.Dark.Base);
    }

    /// <summary>Every --lab-* variable app.css defines is fed by a token, so a theme restyles the whole UI.</summary>
    [Fact]
    public void CssVars_CoverEveryVariableInAppCss()
    {
        var css = File.ReadAllText(Path.Combine(RepoRoot(), "web", "src", "app.css"));
        var defined = Regex.Matches(css, @"^\s*(--lab-[a-z0-9-]+)\s*:", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Distinct();

        Assert.Empty(defined.Except(BuiltInThemes.Light.CssVars.Keys));
    }

    [Fact]
    public void LightTheme_MatchesAppCssValues()
    {
        var vars = BuiltInThemes.Light.CssVars;

        Assert.Equal("#f3f4f7", vars["--lab-canvas-bg"]);
        Assert.Equal("#1d2330", vars["--lab-text"]);
        Assert.Equal("#4f5bd5", vars["--lab-accent"]);
        Assert.Equal("8px", vars["--lab-radius"]);
        Assert.Equal("0 1px 2px rgba(16, 24, 40, 0.06), 0 2px 8px rgba(16, 24, 40, 0.06)", vars["--lab-shadow"]);
        Assert.Equal(ThemeCatalog.Fonts["system"], vars["--lab-font"]);
    }

    [Fact]
    public void CardTokens_AreCssVarsWithoutPrefix()
    {
        var theme = BuiltInThemes.Dark;

        Assert.Equal(theme.CssVars.Count, theme.CardTokens.Count);
        Assert.Equal(theme.CssVars["--lab-surface"], theme.CardTokens["surface"]);
        Assert.Equal(theme.CssVars["--lab-text"], theme.CardTokens["text"]);
        Assert.All(theme.CardTokens.Keys, k => Assert.DoesNotContain("--", k, StringComparison.Ordinal));
    }

    [Fact]
    public void CssVars_EveryTokenFeedsItsDeclaredVariables()
    {
        var vars = BuiltInThemes.Light.CssVars;

        Assert.All(ThemeCatalog.Tokens.SelectMany(t => t.CssVars), v => Assert.True(vars.ContainsKey(v), v));
    }

    [Fact]
    public void CssVars_ValuesNeverContainCssSyntax()
    {
        foreach (var theme in BuiltInThemes.All.Append(Validate(Midnight).Theme!))
        {
            Assert.All(theme.CssVars.Values, v => Assert.DoesNotMatch("[;{}<>\\\\]|url\\(", v));
        }
    }

    [Fact]
    public void PartialDarkTheme_OmittedTokensFromDarkBase()
    {
        var theme = Validate(Midnight).Theme!;

        Assert.Equal("#121316", theme.CssVars["--lab-canvas-bg"]);
        Assert.Equal("#33ccff", theme.CssVars["--lab-accent"]);
        Assert.Equal(BuiltInThemes.Dark.CssVars["--lab-danger"], theme.CssVars["--lab-danger"]);
        Assert.Equal("12px", theme.CssVars["--lab-radius"]);
    }

    [Fact]
    public void Grid_Omitted_TakesBaseGrid()
    {
        var theme = Validate(Minimal()).Theme!;

        Assert.Same(BuiltInThemes.Light.FractalGrid, theme.FractalGrid);
    }

    [Fact]
    public void Grid_Disabled_HasNoGroups()
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse("""{ "enabled": false }""");

        var grid = Validate(theme).Theme!.FractalGrid;

        Assert.False(grid.Enabled);
        Assert.Empty(grid.Groups);
    }

    [Fact]
    public void Grid_SeedGroups_KeptInOrder()
    {
        var grid = Validate(Midnight).Theme!.FractalGrid;

        Assert.True(grid.Enabled);
        Assert.Equal(new[] { "tileBorder", "child", "grandchild" }, grid.Groups.Select(g => g.Level));
        Assert.All(grid.Groups, g => Assert.Equal("horizontal", g.Axes));
        Assert.Equal("rgba(255, 255, 255, 0.16)", grid.Groups[0].Color.ToCss());
        Assert.Equal(1.5, grid.Groups[0].WidthPx);
    }

    [Theory]
    [InlineData("""{ "enabled": "yes" }""", "/fractalGrid/enabled")]
    [InlineData("""{ "groups": [] }""", "/fractalGrid/enabled")]
    [InlineData("""{ "enabled": true, "groups": {} }""", "/fractalGrid/groups")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "tile", "axes": "both", "color": "#fff" }] }""", "/fractalGrid/groups/0/level")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "diagonal", "color": "#fff" }] }""", "/fractalGrid/groups/0/axes")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both" }] }""", "/fractalGrid/groups/0/color")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both", "color": "#ffff" }] }""", "/fractalGrid/groups/0/color")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both", "color": "#fff", "widthPx": 0.4 }] }""", "/fractalGrid/groups/0/widthPx")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both", "color": "#fff", "widthPx": 4.5 }] }""", "/fractalGrid/groups/0/widthPx")]
    [InlineData("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both", "color": "#fff" }, { "level": "child", "axes": "vertical", "color": "#fff" }] }""", "/fractalGrid/groups/1/level")]
    [InlineData("[]", "/fractalGrid")]
    public void Grid_RuleBroken_RefusedAtPointer(string grid, string pointer)
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse(grid);

        Single(Validate(theme), pointer);
    }

    [Fact]
    public void Grid_MoreThanThreeGroups_Refused()
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse("""
            { "enabled": true, "groups": [
              { "level": "tileBorder", "axes": "both", "color": "#fff" }, { "level": "child", "axes": "both", "color": "#fff" },
              { "level": "grandchild", "axes": "both", "color": "#fff" }, { "level": "grandchild", "axes": "both", "color": "#fff" }] }
            """);

        Assert.Contains("at most 3", Assert.Single(Validate(theme).Problems, p => p.Pointer == "/fractalGrid/groups").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(4)]
    public void Grid_WidthAtBounds_Accepted(double width)
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse($$"""{ "enabled": true, "groups": [{ "level": "child", "axes": "vertical", "color": [1, 1, 1, 0.1], "widthPx": {{width}} }] }""");

        Assert.True(Validate(theme).IsValid);
    }

    [Fact]
    public void ChooseBase_DarkCanvas_Dark()
    {
        var tokens = new Dictionary<string, ThemeValue> { ["canvas.clearColor"] = ThemeValue.OfColor(new ThemeColor(0.1, 0.1, 0.1, 1)) };

        Assert.Equal("dark", ThemeResolver.ChooseBase(tokens));
    }

    [Fact]
    public void ChooseBase_LightCanvas_Light()
    {
        var tokens = new Dictionary<string, ThemeValue> { ["canvas.clearColor"] = ThemeValue.OfColor(new ThemeColor(0.9, 0.9, 0.85, 1)) };

        Assert.Equal("light", ThemeResolver.ChooseBase(tokens));
    }

    [Fact]
    public void EmbeddedSchema_IsByteIdenticalToSdkCopy()
    {
        var sdk = File.ReadAllBytes(Path.Combine(RepoRoot(), "sdk", "schemas", "theme.v1.json"));

        Assert.True(sdk.AsSpan().SequenceEqual(ThemeSchema.Utf8.Span),
            "sdk/schemas/theme.v1.json differs from src/Labyrinth.Core/Themes/theme.v1.schema.json; copy the source file over the SDK one.");
    }

    [Fact]
    public void EmbeddedSchema_ListsEveryCatalogueToken()
    {
        var tokens = JsonNode.Parse(Encoding.UTF8.GetString(ThemeSchema.Utf8.Span))!["properties"]!["tokens"]!["properties"]!.AsObject();

        Assert.Equal(ThemeCatalog.Tokens.Select(t => t.Name).Order(StringComparer.Ordinal), tokens.Select(t => t.Key).Order(StringComparer.Ordinal));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Labyrinth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Labyrinth.slnx not found above " + AppContext.BaseDirectory);
    }
}
