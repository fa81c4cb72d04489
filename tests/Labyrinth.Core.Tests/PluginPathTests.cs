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
