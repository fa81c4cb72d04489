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
