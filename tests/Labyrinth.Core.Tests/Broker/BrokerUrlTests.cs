using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class BrokerUrlTests
{
    private static readonly Uri Base = new("https://api.openai.com/v1");

    [Fact]
    public void Build_BaseWithPath_AppendsRelativePath() =>
        Assert.Equal("https://api.openai.com/v1/chat/completions", BrokerUrl.Build(Base, "/chat/completions", null).AbsoluteUri);

    [Fact]
    public void Build_BaseWithTrailingSlash_HasNoDoubleSlash() =>
        Assert.Equal("https://api.openai.com/v1/models", BrokerUrl.Build(new Uri("https://api.openai.com/v1/"), "/models", null).AbsoluteUri);

    [Fact]
    public void Build_QueryValues_AreEscaped()
    {
        var url = BrokerUrl.Build(Base, "/models", new Dictionary<string, string> { ["q"] = "a&b=c#d", ["x y"] = "1" });
        Assert.Equal("?q=a%26b%3Dc%23d&x%20y=1", url.Query);
    }

    [Fact]
    public void Build_CardQueryNamedLikeSecret_IsReplacedBySecret()
    {
        var url = BrokerUrl.Build(Base, "/models", new Dictionary<string, string> { ["KEY"] = "attacker" }, "key", "real");
        Assert.Equal("?key=real", url.Query);
    }

    [Fact]
    public void Build_PathLeavingBase_Throws() =>
        Assert.Throws<ArgumentException>(() => BrokerUrl.Build(Base, "/../admin", null));

    [Theory]
    [InlineData("https://api.openai.com/v1/other", true)]
    [InlineData("/v1/other", true)]
    [InlineData("https://API.openai.com:443/x", true)]
    [InlineData("http://api.openai.com/v1/x", false)]
    [InlineData("https://api.openai.com:8443/x", false)]
    [InlineData("https://evil.example/x", false)]
    [InlineData("//evil.example/x", false)]
    [InlineData("https://user@api.openai.com/x", false)]
    public void RedirectTarget_OnlySameOrigin_IsFollowed(string location, bool followed)
    {
        var target = BrokerUrl.RedirectTarget(new Uri("https://api.openai.com/v1/models"), new Uri(location, UriKind.RelativeOrAbsolute));
        Assert.Equal(followed, target is not null);
    }

    [Fact]
    public void RedirectTarget_NoLocation_IsNull() => Assert.Null(BrokerUrl.RedirectTarget(Base, null));
}

public sealed class BrokerUrlRedirectScopeTests
{
    private static readonly Uri Base = new("https://api.example.com/v1");
    private static readonly string[] Prefixes = ["/chat/completions", "/models"];

    [Theory]
    [InlineData("https://api.example.com/v1/models")]
    [InlineData("https://api.example.com/v1/chat/completions")]
    [InlineData("https://api.example.com/v1/models/gpt-4o")]
    public void IsWithinService_AllowedPath_True(string target) =>
        Assert.True(BrokerUrl.IsWithinService(Base, Prefixes, new Uri(target)));

    [Theory]
    [InlineData("https://api.example.com/v1/admin")]
    [InlineData("https://api.example.com/v2/models")]
    [InlineData("https://api.example.com/v1models")]
    [InlineData("https://api.example.com/v1/chat/../admin")]
    [InlineData("https://api.example.com/v1/models;x=1")]
    [InlineData("https://evil.example/v1/models")]
    public void IsWithinService_OutsideTheService_False(string target) =>
        Assert.False(BrokerUrl.IsWithinService(Base, Prefixes, new Uri(target)));

    [Theory]
    [InlineData("q", "%c0%ae%c0%ae")]
    [InlineData("%c0%ae", "x")]
    public void CheckQuery_InvalidUtf8InNameOrValue_IsRefused(string name, string value) =>
        Assert.Contains("UTF-8", BrokerUrl.CheckQuery(new Dictionary<string, string> { [name] = value }), StringComparison.Ordinal);

    [Fact]
    public void CheckQuery_LoneSurrogateInNameOrValue_IsRefused()
    {
        Assert.Contains("UTF-8", BrokerUrl.CheckQuery(new Dictionary<string, string> { ["q"] = "a" + (char)0xD800 }), StringComparison.Ordinal);
        Assert.Contains("UTF-8", BrokerUrl.CheckQuery(new Dictionary<string, string> { [(char)0xDFFF + "x"] = "v" }), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckQuery_PercentSignsAndUnicode_AreAccepted() =>
        Assert.Null(BrokerUrl.CheckQuery(new Dictionary<string, string> { ["q"] = "100% caf\u00e9 \ud83d\ude00", ["r"] = "a%20b" }));
}
