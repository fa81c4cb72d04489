using System.Text.Json.Nodes;
using Labyrinth.Core.Themes;
using static Labyrinth.Core.Tests.Themes.ThemeTestData;

namespace Labyrinth.Core.Tests.Themes;

public sealed class ThemeValidatorTests
{
    [Fact]
    public void SeedMidnight_Validates()
    {
        var result = Validate(Midnight);

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal("dark", result.Theme!.Base);
    }

    [Fact]
    public void MinimalTheme_ValidatesOnLightBase()
    {
        var result = Validate(Minimal());

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal("light", result.Theme!.Base);
        Assert.Equal(BuiltInThemes.Light.CssVars, result.Theme.CssVars);
    }

    [Theory]
    [InlineData("\"#abc\"", "#aabbcc")]
    [InlineData("\"#A1B2C3\"", "#a1b2c3")]
    [InlineData("\"#a1b2c380\"", "rgba(161, 178, 195, 0.502)")]
    [InlineData("[0.2, 0.8, 1.0, 1.0]", "#33ccff")]
    [InlineData("[0, 0, 0, 0.5]", "rgba(0, 0, 0, 0.5)")]
    public void ColorToken_AcceptedForm_EmittedAsCssColor(string json, string css)
    {
        var result = Validate(WithToken("ui.border", JsonNode.Parse(json)));

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal(css, result.Theme!.CssVars["--lab-border"]);
    }

    [Theory]
    [InlineData("\"#ab\"")]
    [InlineData("\"#abcd\"")]
    [InlineData("\"#abcde\"")]
    [InlineData("\"#gggggg\"")]
    [InlineData("\"red\"")]
    [InlineData("\"rgb(1, 2, 3)\"")]
    [InlineData("\"abcdef\"")]
    [InlineData("12")]
    [InlineData("[0.1, 0.2, 0.3]")]
    [InlineData("[0.1, 0.2, 0.3, 1, 1]")]
    [InlineData("true")]
    public void ColorToken_InvalidForm_RefusedAtTokenPointer(string json)
    {
        var result = Validate(WithToken("ui.border", JsonNode.Parse(json)));

        Assert.Contains("color", Single(result, "/tokens/ui.border").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1.5, 0, 0, 1]", "/tokens/ui.border/0")]
    [InlineData("[0, -0.1, 0, 1]", "/tokens/ui.border/1")]
    [InlineData("[0, 0, 0, 2]", "/tokens/ui.border/3")]
    [InlineData("[0, 0, \"1\", 1]", "/tokens/ui.border/2")]
    public void ColorToken_ArrayComponentOutOfRange_RefusedAtComponentPointer(string json, string pointer)
    {
        var result = Validate(WithToken("ui.border", JsonNode.Parse(json)));

        Assert.Single(result.Problems);
        Single(result, pointer);
    }

    [Theory]
    [InlineData("ui.radius.panel", 0, true)]
    [InlineData("ui.radius.panel", 24, true)]
    [InlineData("ui.radius.panel", 24.5, false)]
    [InlineData("ui.radius.panel", -1, false)]
    [InlineData("ui.spacing.menu", 32, true)]
    [InlineData("ui.spacing.menu", 33, false)]
    public void NumberToken_Range_Enforced(string token, double value, bool valid)
    {
        var result = Validate(WithToken(token, value));

        if (valid)
        {
            Assert.True(result.IsValid, Describe(result));
        }
        else
        {
            Assert.Contains("out of range", Single(result, "/tokens/" + token).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NumberToken_String_Refused()
    {
        var result = Validate(WithToken("ui.radius.panel", "12px"));

        Assert.Contains("number", Single(result, "/tokens/ui.radius.panel").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberToken_EmittedInPx()
    {
        var result = Validate(WithToken("ui.radius.panel", 12.5));

        Assert.Equal("12.5px", result.Theme!.CssVars["--lab-radius"]);
    }

    [Theory]
    [InlineData("system")]
    [InlineData("inter")]
    [InlineData("serif")]
    [InlineData("mono")]
    [InlineData("rounded")]
    [InlineData("humanist")]
    public void FontToken_Allowlisted_EmitsHostStack(string font)
    {
        var result = Validate(WithToken("ui.font.body", font));

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal(ThemeCatalog.Fonts[font], result.Theme!.CssVars["--lab-font"]);
    }

    [Theory]
    [InlineData("Comic Sans MS")]
    [InlineData("Inter")]
    [InlineData("Arial, sans-serif")]
    [InlineData("")]
    public void FontToken_NotAllowlisted_Refused(string font)
    {
        var result = Validate(WithToken("ui.font.mono", font));

        Assert.Contains("not an allowed font", Single(result, "/tokens/ui.font.mono").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("solid", "1", "0px")]
    [InlineData("ultraThin", "0.6", "10px")]
    [InlineData("thick", "0.92", "30px")]
    public void MaterialToken_Value_MapsToOpacityAndBlur(string material, string opacity, string blur)
    {
        var result = Validate(WithToken("ui.panel.material", material));

        Assert.True(result.IsValid, Describe(result));
        Assert.Equal(opacity, result.Theme!.CssVars["--lab-panel-opacity"]);
        Assert.Equal(blur, result.Theme.CssVars["--lab-panel-blur"]);
    }

    [Theory]
    [InlineData("glass")]
    [InlineData("Solid")]
    public void MaterialToken_UnknownValue_RefusedListingValues(string material)
    {
        var result = Validate(WithToken("ui.panel.material", material));

        Assert.Contains("\"ultraThin\"", Single(result, "/tokens/ui.panel.material").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownToken_RefusedAsUnknownToken()
    {
        var result = Validate(WithToken("ui.foo", "#fff"));

        Assert.Contains("unknown token", Single(result, "/tokens/ui.foo").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRootKey_Refused()
    {
        var theme = Minimal();
        theme["css"] = "body{}";
        theme["author"] = "x";

        var result = Validate(theme);

        Assert.Contains("unknown key", Single(result, "/author").Message, StringComparison.Ordinal);
        Assert.Contains(result.Problems, p => p.Pointer == "/css");
    }

    [Fact]
    public void UnknownGridKeys_RefusedAtTheirPointers()
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse("""{ "enabled": true, "opacity": 1, "groups": [{ "level": "child", "axes": "both", "color": "#fff", "dash": 2 }] }""");

        var result = Validate(theme);

        Single(result, "/fractalGrid/opacity");
        Single(result, "/fractalGrid/groups/0/dash");
    }

    [Fact]
    public void EveryProblem_ReportedAtOnce()
    {
        var theme = Minimal();
        theme["tokens"] = JsonNode.Parse("""{ "ui.border": "red", "ui.radius.panel": 99, "ui.font.body": "Papyrus", "ui.nope": 1 }""");
        theme["themeID"] = "Bad ID";

        var result = Validate(theme);

        Assert.Equal(
            new[] { "/themeID", "/tokens/ui.border", "/tokens/ui.font.body", "/tokens/ui.nope", "/tokens/ui.radius.panel" },
            result.Problems.Select(p => p.Pointer).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Midnight")]
    [InlineData("midnight_2")]
    [InlineData("2midnight")]
    [InlineData("")]
    public void ThemeId_NotMatchingPattern_Refused(string id)
    {
        var theme = Minimal();
        theme["themeID"] = id;

        Single(Validate(theme), "/themeID");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_Blank_Refused(string name)
    {
        var theme = Minimal();
        theme["name"] = name;

        Single(Validate(theme), "/name");
    }

    [Fact]
    public void Name_TooLong_Refused()
    {
        var theme = Minimal();
        theme["name"] = new string('n', 101);

        Single(Validate(theme), "/name");
    }

    [Theory]
    [InlineData("themeID")]
    [InlineData("name")]
    [InlineData("tokens")]
    public void RequiredKey_Missing_Refused(string key)
    {
        var theme = Minimal();
        theme.Remove(key);

        Single(Validate(theme), "/" + key);
    }

    [Theory]
    [InlineData("url(https://evil.example/x.png)", "url(")]
    [InlineData("expression(alert(1))", "expression(")]
    [InlineData("<script>alert(1)</script>", "<")]
    [InlineData("javascript:alert(1)", "javascript:")]
    [InlineData("#fff; background: red", ";")]
    [InlineData("red } x", "}")]
    [InlineData("https://evil.example/font.woff2", "://")]
    [InlineData("@import 'x'", "@import")]
    public void CssUrlOrScript_InTokenValue_RefusedNamingTheFragment(string value, string fragment)
    {
        var result = Validate(WithToken("ui.font.body", value));

        var problem = Single(result, "/tokens/ui.font.body");
        Assert.Contains($"\"{fragment}\"", problem.Message, StringComparison.Ordinal);
        Assert.Contains("data only", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScriptInName_Refused()
    {
        var theme = Minimal();
        theme["name"] = "Nice <img src=x onerror=alert(1)>";

        Assert.Contains("data only", Single(Validate(theme), "/name").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CssInUnknownKeyName_RefusedOnce()
    {
        var theme = Minimal();
        theme["tokens"]!.AsObject()["body{background:url(x)}"] = "#fff";

        var problem = Assert.Single(Validate(theme).Problems);
        Assert.Contains("data only", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CssInGridColor_Refused()
    {
        var theme = Minimal();
        theme["fractalGrid"] = JsonNode.Parse("""{ "enabled": true, "groups": [{ "level": "child", "axes": "both", "color": "url(x)" }] }""");

        Assert.Contains("data only", Single(Validate(theme), "/fractalGrid/groups/0/color").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKeys_RefusedWithThePointerOfTheDuplicate()
    {
        var result = Validate("""{ "themeID": "a", "name": "A", "tokens": { "ui.border": "#fff", "ui.border": "#000" } }""");

        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("/tokens/ui.border", problem.Pointer);
        Assert.Contains("appears more than once", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotUtf8_RefusedWithASentenceNotAnException()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""{ "themeID": "a", "name": "Aé", "tokens": {} }""");
        bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xFF;

        var result = ThemeValidator.Validate(bytes);

        Assert.Contains("not valid UTF-8", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberBeyondDouble_RefusedWithPointer()
    {
        var result = Validate("""{ "themeID": "a", "name": "A", "tokens": { "ui.radius.panel": 1e400 } }""");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/tokens/ui.radius.panel", problem.Pointer);
        Assert.Contains("1e400 is too large for a number", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAnObject_Refused()
    {
        Assert.False(Validate("[1, 2]").IsValid);
    }

    [Fact]
    public void OversizedDocument_Refused()
    {
        var big = "{\"themeID\":\"a\",\"name\":\"" + new string('a', ThemeValidator.MaxThemeBytes) + "\",\"tokens\":{}}";

        Assert.Contains("limit", Assert.Single(Validate(big).Problems).Message, StringComparison.Ordinal);
    }
}
