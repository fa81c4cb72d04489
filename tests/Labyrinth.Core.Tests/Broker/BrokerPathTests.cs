using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class BrokerPathTests
{
    [Theory]
    [InlineData("/chat/completions")]
    [InlineData("/models")]
    [InlineData("/models/gpt-4o-mini")]
    [InlineData("/files/a%20b")]
    [InlineData("/v1/x.json")]
    [InlineData("/files/caf%C3%A9")]
    [InlineData("/files/%F0%9F%98%80")]
    [InlineData("/files/a%3Fb")]
    public void Check_CleanRelativePath_IsAccepted(string path) => Assert.Null(BrokerPath.Check(path));

    [Theory]
    [InlineData("")]
    [InlineData("chat/completions")]
    [InlineData("https://evil.example/x")]
    [InlineData("//evil.example/x")]
    [InlineData("/a//b")]
    [InlineData("/../admin")]
    [InlineData("/chat/../../admin")]
    [InlineData("/chat/./completions")]
    [InlineData("/chat/..")]
    [InlineData("/%2e%2e/admin")]
    [InlineData("/%2E%2e/admin")]
    [InlineData("/chat%2f..%2fadmin")]
    [InlineData("/chat%2Fx")]
    [InlineData("/chat%5cx")]
    [InlineData("/chat\\..\\admin")]
    [InlineData("/chat\r\nHost: evil")]
    [InlineData("/chat\nx")]
    [InlineData("/chat\u0000")]
    [InlineData("/chat?x=1")]
    [InlineData("/chat#frag")]
    [InlineData("/chat%252e%252e")]
    [InlineData("/chat%zz")]
    [InlineData("/chat%2")]
    [InlineData("/caf\u00e9")]
    [InlineData("/a b")]
    [InlineData("/v1/chat/..;/admin")]
    [InlineData("/v1/chat;jsessionid=1")]
    [InlineData("/v1/.../admin")]
    public void Check_EscapingOrMalformedPath_IsRefused(string path) => Assert.NotNull(BrokerPath.Check(path));

    [Theory]
    [InlineData("/models/%c0%ae%c0%ae/admin")]   // overlong "..": a lenient decoder reads ../
    [InlineData("/models/%c0%af")]               // overlong "/"
    [InlineData("/models/%e0%80%ae")]            // three-byte overlong "."
    [InlineData("/models/%ed%a0%80")]            // an encoded UTF-16 surrogate
    [InlineData("/models/%c3")]                  // truncated sequence
    [InlineData("/models/%80")]                  // lone continuation byte
    [InlineData("/models/%ff")]                  // never valid in UTF-8
    [InlineData("/models/%f4%90%80%80")]         // beyond U+10FFFF
    public void Check_InvalidUtf8InPercentEncodedBytes_IsRefused(string path)
    {
        var error = BrokerPath.Check(path);
        Assert.NotNull(error);
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/models/%ef%bc%8e%ef%bc%8e/admin")] // full-width ".." (NFKC: "..")
    [InlineData("/models%ef%bc%8fadmin")]            // full-width "/"
    [InlineData("/models/%ef%bc%bcadmin")]           // full-width "\"
    [InlineData("/models/%e2%80%a8")]                // line separator
    [InlineData("/models/%0d%0aHost:%20evil")]       // encoded CR LF
    public void Check_EncodedCharacterThatDecodesToSeparatorOrControl_IsRefused(string path) => Assert.NotNull(BrokerPath.Check(path));

    [Theory]
    [InlineData("caf\u00e9", "caf\u00e9")]
    [InlineData("100%", "100%")]
    [InlineData("a%20b", "a b")]
    public void DecodeStrict_ValidText_IsDecodedOnce(string text, string expected) => Assert.Equal(expected, BrokerPath.DecodeStrict(text));

    [Fact]
    public void DecodeStrict_InvalidUtf8_IsNull() => Assert.Null(BrokerPath.DecodeStrict("%c0%ae"));

    // Built in code: test data serialisation would replace a lone surrogate with U+FFFD.
    [Theory]
    [InlineData(0xD800)]
    [InlineData(0xDC00)]
    public void DecodeStrict_LoneSurrogate_IsNull(int surrogate) => Assert.Null(BrokerPath.DecodeStrict("a" + (char)surrogate + "b"));

    [Fact]
    public void Check_OverlongPath_IsRefused() => Assert.NotNull(BrokerPath.Check("/" + new string('a', BrokerPath.MaxLength)));

    [Theory]
    [InlineData("/chat/completions", true)]
    [InlineData("/chat/completions/x", true)]
    [InlineData("/chat/completionsX", false)]
    [InlineData("/chat", false)]
    [InlineData("/models", true)]
    [InlineData("/admin", false)]
    public void IsAllowed_AgainstPrefixes_MatchesWholeSegments(string path, bool expected) =>
        Assert.Equal(expected, BrokerPath.IsAllowed(path, ["/chat/completions", "/models"]));

    [Fact]
    public void IsAllowed_PrefixWithTrailingSlash_AllowsChildren() => Assert.True(BrokerPath.IsAllowed("/files/a", ["/files/"]));

    [Fact]
    public void IsAllowed_RootPrefix_AllowsEverything() => Assert.True(BrokerPath.IsAllowed("/anything", ["/"]));
}
