using System.Text.Json.Nodes;
using Labyrinth.Core.Themes;
using static Labyrinth.Core.Tests.Themes.ThemeTestData;

namespace Labyrinth.Core.Tests.Themes;

public sealed class ThemeContrastTests
{
    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (fg, bg) in ThemeCatalog.ContrastPairs)
        {
            data.Add(fg, bg);
        }

        return data;
    }

    /// <summary>Foreground and background set to the same color everywhere a pair is checked: each pair must fail with 1.00:1.</summary>
    [Theory]
    [MemberData(nameof(Pairs))]
    public void Pair_SameColors_RefusedWithRatioAndBackgroundNamed(string foreground, string background)
    {
        var theme = Minimal();
        var tokens = theme["tokens"]!.AsObject();
        tokens[background] = "#777777";
        tokens[foreground] = "#777777";

        var result = Validate(theme);

        Assert.Contains(result.Problems, p => p.Pointer == "/tokens/" + foreground
            && p.Message.StartsWith($"contrast 1.00:1 against {background}; needs at least 4.5:1", StringComparison.Ordinal));
    }

    [Fact]
    public void TextOnPanel_LowContrast_ReportsRatioToTwoDecimals()
    {
        // #767676 on #999999: 1.59:1 (WCAG luminances 0.1812 and 0.3185).
        var theme = Minimal();
        theme["tokens"] = JsonNode.Parse("""{ "ui.panel.background": "#999999", "ui.text.primary": "#767676" }""");

        var result = Validate(theme);

        Assert.Contains(result.Problems, p => p.Pointer == "/tokens/ui.text.primary"
            && p.Message.StartsWith("contrast 1.59:1 against ui.panel.background; needs at least 4.5:1", StringComparison.Ordinal));
    }

    [Fact]
    public void Contrast_JustBelowAA_NeverPrintedAsPassing()
    {
        // #777777 on white is 4.47:1 (just below AA); rounding would say 4.48, never 4.50.
        var result = Validate(WithToken("ui.text.secondary", "#777777"));

        Assert.Contains(result.Problems, p => p.Pointer == "/tokens/ui.text.secondary"
            && p.Message.StartsWith("contrast 4.47:1 against ui.panel.background", StringComparison.Ordinal));
    }

    [Fact]
    public void Contrast_AtAA_Passes()
    {
        // #6e6e6e: 5.09:1 on the white panel, 4.75:1 on the #f6f7f9 page.
        Assert.True(Validate(WithToken("ui.text.secondary", "#6e6e6e")).IsValid);
    }

    [Fact]
    public void TranslucentText_CompositedOverBackgroundBeforeMeasuring()
    {
        // Black at 20% over white is #cccccc: 1.6:1. Without compositing it would pass as black (21:1).
        var result = Validate(WithToken("ui.text.primary", JsonNode.Parse("[0, 0, 0, 0.2]")));

        Assert.Contains(result.Problems, p => p.Pointer == "/tokens/ui.text.primary" && p.Message.StartsWith("contrast 1.6", StringComparison.Ordinal));
    }

    [Fact]
    public void TranslucentMaterial_PanelCompositedOverCanvas()
    {
        // Opaque, a white panel keeps dark text readable even on a black canvas; as ultraThin
        // (60% opaque) over black it becomes #999999 and #555555 text no longer reaches AA.
        var theme = Minimal();
        theme["tokens"] = JsonNode.Parse("""
            { "canvas.clearColor": "#000000", "ui.background": "#ffffff", "ui.panel.background": "#ffffff",
              "ui.text.primary": "#555555", "ui.text.secondary": "#555555", "ui.accent.text": "#555555", "ui.danger": "#555555" }
            """);
        var solid = Validate(theme);
        theme["tokens"]!.AsObject()["ui.panel.material"] = "ultraThin";

        var thin = Validate(theme);

        Assert.DoesNotContain(solid.Problems, p => p.Message.Contains("against ui.panel.background", StringComparison.Ordinal));
        Assert.Contains(thin.Problems, p => p.Pointer == "/tokens/ui.text.primary" && p.Message.Contains("against ui.panel.background", StringComparison.Ordinal));
    }

    [Fact]
    public void InheritedText_OnDeclaredDarkPanel_NamesTheBase()
    {
        // A light canvas keeps the light base, whose dark text fails on the dark panel the theme sets.
        var theme = WithToken("ui.panel.background", "#202020");
        theme["tokens"]!.AsObject()["canvas.clearColor"] = "#ffffff";

        var result = Validate(theme);

        var problem = Assert.Single(result.Problems, p => p.Pointer == "/tokens/ui.text.primary" && p.Message.Contains("ui.panel.background", StringComparison.Ordinal));
        Assert.Contains("ui.text.primary not set, so taken from the light base theme", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidColor_SkipsItsContrastPairs()
    {
        var result = Validate(WithToken("ui.text.primary", "nope"));

        Assert.Single(result.Problems);
    }
}
