using Labyrinth.Core.Plugins;

namespace Labyrinth.Core.Tests;

public sealed class PluginPathTests
{
    [Theory]
    [InlineData("cards/hello.js")]
    [InlineData("manifest.json")]
    [InlineData("a/b/c.css")]
    public void Check_RelativeCleanPath_IsAccepted(string path) => Assert.Null(PluginPath.Check(path));

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../x.js")]
    [InlineData("a/../b.js")]
    [InlineData("a/./b.js")]
    [InlineData("a//b.js")]
    [InlineData("a\\b.js")]
    [InlineData("C:/x.js")]
    [InlineData("a/")]
    [InlineData("a\u0000b")]
    public void Check_EscapingOrMalformedPath_IsRefused(string path) => Assert.NotNull(PluginPath.Check(path));

    [Theory]
    [InlineData("..%2f..%2fother%2f1.0.0%2fx.js")]
    [InlineData("cards%2Fhello.js")]
    [InlineData("cards%5chello.js")]
    [InlineData("%2e%2e/x.js")]
    [InlineData("x%00.js")]
    public void TryDecodeRequestPath_EncodedTraversal_IsRefused(string raw) =>
        Assert.False(PluginPath.TryDecodeRequestPath(raw, out _));

    [Fact]
    public void TryDecodeRequestPath_EncodedSpace_DecodesOnce()
    {
        Assert.True(PluginPath.TryDecodeRequestPath("my%20file.js", out var decoded));
        Assert.Equal("my file.js", decoded);
    }

    [Fact]
    public void TryDecodeRequestPath_DoubleEncodedDot_StaysLiteral()
    {
        // %252e decodes once to the literal text "%2e", a name no plugin file has.
        Assert.True(PluginPath.TryDecodeRequestPath("%252e%252e/x.js", out var decoded));
        Assert.Equal("%2e%2e/x.js", decoded);
    }
}

public sealed class PluginPathWindowsAndBidiTests
{
    [Theory]
    [InlineData("cards/evil\u202Egpj.js", "U+202E")]
    [InlineData("cards/\u202Ax.js", "U+202A")]
    [InlineData("cards/\u2066x\u2069.js", "U+2066")]
    [InlineData("cards/x\u200E.js", "U+200E")]
    [InlineData("cards/x\u200F.js", "U+200F")]
    [InlineData("cards/x\u061C.js", "U+061C")]
    public void Check_BidiControl_IsRefusedNamingIt(string path, string codePoint)
    {
        var problem = PluginPath.Check(path);

        Assert.NotNull(problem);
        Assert.Contains("bidirectional control character " + codePoint, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cards/x\u200B.js")]
    [InlineData("cards/\uFEFFx.js")]
    [InlineData("cards/x\u00AD.js")]
    public void Check_InvisibleFormattingCharacter_IsRefused(string path) =>
        Assert.Contains("invisible character", PluginPath.Check(path), StringComparison.Ordinal);

    [Theory]
    [InlineData("CON")]
    [InlineData("con.js")]
    [InlineData("cards/nul.txt")]
    [InlineData("Aux/x.js")]
    [InlineData("a/PRN.tar.gz.js")]
    [InlineData("com1.js")]
    [InlineData("COM9.css")]
    [InlineData("lpt1.png")]
    [InlineData("LPT9")]
    [InlineData("com\u00B9.js")]
    [InlineData("LPT\u00B2.js")]
    [InlineData("com\u00B3")]
    [InlineData("con .js")]
    [InlineData("conin$.js")]
    [InlineData("CONOUT$")]
    public void Check_WindowsDeviceName_IsRefusedInAnySegment(string path) =>
        Assert.Contains("Windows device name", PluginPath.Check(path), StringComparison.Ordinal);

    [Theory]
    [InlineData("console.js")]
    [InlineData("cards/icon.png")]
    [InlineData("null.js")]
    [InlineData("com10.js")]
    [InlineData("lpt.js")]
    [InlineData("auxiliary/x.js")]
    [InlineData("my file.js")]
    public void Check_NamesThatOnlyResembleDevices_AreAccepted(string path) => Assert.Null(PluginPath.Check(path));

    [Theory]
    [InlineData("a.js.")]
    [InlineData("a.js ")]
    [InlineData("cards./x.js")]
    [InlineData("a.js:secret")]
    [InlineData("a?.js")]
    [InlineData("a*.js")]
    [InlineData("a|b.js")]
    [InlineData("a<b>.js")]
    [InlineData("a\"b.js")]
    public void Check_NamesWindowsWouldAlter_AreRefused(string path) => Assert.NotNull(PluginPath.Check(path));

    [Theory]
    [InlineData("cards/a\U000E0041.js")] // a tag character: two UTF-16 units, invisible
    [InlineData("cards/a\U000E0100.js")] // variation selector 17
    [InlineData("cards/a\U0001D173.js")] // musical symbol begin beam (format, outside the BMP)
    [InlineData("cards/a\u3164.js")] // Hangul filler
    public void Check_InvisibleCharacterOutsideTheUsualRanges_IsRefused(string path) =>
        Assert.Contains("invisible", PluginPath.Check(path), StringComparison.Ordinal);
}
