using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class BrokerHeadersTests
{
    [Theory]
    [InlineData("Accept")]
    [InlineData("content-type")]
    [InlineData("Accept-Language")]
    [InlineData("X-Request-Id")]
    [InlineData("OpenAI-Beta")]
    [InlineData("x-stainless-lang")]
    public void FilterRequest_AllowedHeader_IsKept(string name)
    {
        var result = BrokerHeaders.FilterRequest(new Dictionary<string, string> { [name] = "v" }, "Authorization");
        Assert.Null(result.Error);
        Assert.Equal(name.ToLowerInvariant(), Assert.Single(result.Headers).Key);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("Cookie")]
    [InlineData("Host")]
    [InlineData("Forwarded")]
    [InlineData("Via")]
    [InlineData("Proxy-Authorization")]
    [InlineData("Proxy-Connection")]
    [InlineData("X-Forwarded-For")]
    [InlineData("X-Forwarded-Host")]
    [InlineData("X-Real-IP")]
    [InlineData("X-Api-Key")]
    [InlineData("X-Amz-Security-Token")]
    [InlineData("X-Labyrinth-Request")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Connection")]
    [InlineData("Keep-Alive")]
    [InlineData("Upgrade")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("Expect")]
    [InlineData("Content-Length")]
    [InlineData("User-Agent")]
    [InlineData("Accept-Encoding")]
    [InlineData("OpenAI-Organization")]
    [InlineData("OpenAI-Project")]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-Method-Override")]
    [InlineData("X-HTTP-Method")]
    public void FilterRequest_HeaderNotForwarded_RefusesTheRequestNamingIt(string name)
    {
        var result = BrokerHeaders.FilterRequest(new Dictionary<string, string> { ["accept"] = "application/json", [name] = "v" }, "Authorization");
        Assert.Equal(name, result.Forbidden);
        Assert.Contains($"\"{name}\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FilterRequest_SecretHeaderNamedLikeCustomHeader_IsRefused()
    {
        var result = BrokerHeaders.FilterRequest(new Dictionary<string, string> { ["x-service-key"] = "mine" }, "X-Service-Key");
        Assert.Equal("x-service-key", result.Forbidden);
        Assert.Empty(result.Headers);
    }

    [Fact]
    public void FilterRequest_SameNameTwiceInOtherCase_IsInvalid()
    {
        var result = BrokerHeaders.FilterRequest(new Dictionary<string, string> { ["accept"] = "a", ["Accept"] = "b" }, null);
        Assert.NotNull(result.Error);
        Assert.Null(result.Forbidden);
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\u0000b")]
    public void FilterRequest_LineBreakInValue_IsRefused(string value)
    {
        var result = BrokerHeaders.FilterRequest(new Dictionary<string, string> { ["accept"] = value }, null);
        Assert.NotNull(result.Error);
        Assert.Null(result.Forbidden);
    }

    [Theory]
    [InlineData("x-a\r\nb")]
    [InlineData("x a")]
    [InlineData("x:a")]
    [InlineData("")]
    public void FilterRequest_InvalidName_IsRefused(string name) =>
        Assert.NotNull(BrokerHeaders.FilterRequest(new Dictionary<string, string> { [name] = "v" }, null).Error);

    [Fact]
    public void FilterResponse_SetCookieAuthAndHopByHop_AreStripped()
    {
        var kept = BrokerHeaders.FilterResponse(new Dictionary<string, IEnumerable<string>>
        {
            ["Set-Cookie"] = ["s=1"],
            ["WWW-Authenticate"] = ["Bearer"],
            ["Authorization"] = ["Bearer sk"],
            ["Connection"] = ["keep-alive"],
            ["Transfer-Encoding"] = ["chunked"],
            ["Location"] = ["http://internal/"],
            ["Server"] = ["nginx"],
            ["Content-Type"] = ["text/event-stream"],
            ["x-request-id"] = ["r1"],
            ["openai-processing-ms"] = ["12"],
            ["x-ratelimit-remaining-requests"] = ["99"],
        });
        Assert.Equal(["content-type", "openai-processing-ms", "x-ratelimit-remaining-requests", "x-request-id"], kept.Keys.Order(StringComparer.Ordinal));
    }
}
