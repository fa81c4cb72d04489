using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class ServiceRulesTests
{
    private static ServiceDefinition Valid() => new("openai", "OpenAI", "https://api.openai.com/v1", ["POST", "GET"], ["/chat/completions", "/models"],
        "header", "Authorization", "Bearer {secret}", 60, 1024 * 1024, 8 * 1024 * 1024, 60, 1);

    [Fact]
    public void Validate_OpenAiDefinition_HasNoErrors() => Assert.Empty(ServiceRules.Validate(Valid()));

    [Theory]
    [InlineData("ftp://x.example")]
    [InlineData("/relative")]
    [InlineData("https://user:pw@x.example")]
    [InlineData("https://x.example/v1?key=1")]
    [InlineData("https://x.example/#f")]
    [InlineData("http://metadata.google.internal/")]
    [InlineData("")]
    public void Validate_BadBaseUrl_NamesBaseUrl(string url) => Assert.Contains("baseUrl", ServiceRules.Validate(Valid() with { BaseUrl = url }).Keys);

    [Fact]
    public void Validate_TemplateWithoutPlaceholder_NamesTemplate() =>
        Assert.Contains("secret.template", ServiceRules.Validate(Valid() with { SecretTemplate = "Bearer" }).Keys);

    [Fact]
    public void Validate_HeaderNameNotToken_NamesSecretName() =>
        Assert.Contains("secret.name", ServiceRules.Validate(Valid() with { SecretName = "Auth header" }).Keys);

    [Fact]
    public void Validate_UnknownMethod_NamesMethods() =>
        Assert.Contains("methods", ServiceRules.Validate(Valid() with { Methods = ["TRACE"] }).Keys);

    [Fact]
    public void Validate_TraversalPrefix_NamesPathPrefixes() =>
        Assert.Contains("pathPrefixes", ServiceRules.Validate(Valid() with { PathPrefixes = ["/../x"] }).Keys);

    [Fact]
    public void Validate_BadId_NamesId() => Assert.Contains("id", ServiceRules.Validate(Valid() with { Id = "Open AI" }).Keys);

    [Fact]
    public void Validate_ZeroTimeout_NamesTimeout() => Assert.Contains("timeoutSeconds", ServiceRules.Validate(Valid() with { TimeoutSeconds = 0 }).Keys);

    [Theory]
    [InlineData("")]
    [InlineData("sk-a\nb")]
    [InlineData("sk-a\rb")]
    [InlineData("sk\u0000")]
    public void CheckSecretValue_EmptyOrControl_IsRefused(string value) => Assert.NotNull(ServiceRules.CheckSecretValue(value));

    [Fact]
    public void CheckSecretValue_Overlong_IsRefused() => Assert.NotNull(ServiceRules.CheckSecretValue(new string('a', 8193)));

    [Fact]
    public void CheckSecretValue_LongestAllowed_IsAccepted() => Assert.Null(ServiceRules.CheckSecretValue(new string('a', 8192)));

    [Theory]
    [InlineData("sk-test-0123456789abcd", "abcd")]
    [InlineData("short123", "23")]
    [InlineData("tiny", "")]
    public void Last4_ShortSecret_RevealsLess(string value, string expected) => Assert.Equal(expected, ServiceRules.Last4(value));

    [Fact]
    public void Inject_Template_ReplacesPlaceholder() => Assert.Equal("Bearer sk-1", ServiceRules.Inject("Bearer {secret}", "sk-1"));

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void Validate_BurstOutsideOneToRate_NamesBurst(int burst) =>
        Assert.Contains("burst", ServiceRules.Validate(Valid() with { Burst = burst }).Keys);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(6000, 100)]
    public void DefaultBurst_IsOneSecondsWorth(int ratePerMinute, int expected) => Assert.Equal(expected, ServiceRules.DefaultBurst(ratePerMinute));
}
