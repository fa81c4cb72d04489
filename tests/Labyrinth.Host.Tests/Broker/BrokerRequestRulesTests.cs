using System.Net;
using System.Net.Http.Json;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>
/// Requests the broker cannot forward faithfully are refused with their own code, and nothing of
/// them reaches the upstream (each test marks its request with a query value no other test sends).
/// </summary>
public sealed partial class BrokerTests
{
    [Theory]
    [InlineData("Authorization", "Bearer card-chosen")]
    [InlineData("Cookie", "s=1")]
    [InlineData("Host", "evil.example")]
    [InlineData("X-Forwarded-For", "10.0.0.1")]
    [InlineData("Forwarded", "for=10.0.0.1")]
    [InlineData("Transfer-Encoding", "chunked")]
    [InlineData("Connection", "close")]
    [InlineData("Upgrade", "websocket")]
    [InlineData("TE", "trailers")]
    [InlineData("Expect", "100-continue")]
    [InlineData("Proxy-Authorization", "Basic eA==")]
    [InlineData("Content-Length", "5")]
    [InlineData("X-HTTP-Method-Override", "DELETE")]
    [InlineData("X-Method-Override", "DELETE")]
    [InlineData("X-HTTP-Method", "DELETE")]
    public async Task Broker_HeaderItWillNotForward_Returns400HeaderForbiddenNamingIt(string name, string value)
    {
        var card = await host.CardAsync("fake");
        var marker = Guid.NewGuid().ToString("N");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new
        {
            method = "GET",
            path = "/test/echo",
            query = new Dictionary<string, string> { ["marker"] = marker },
            headers = new Dictionary<string, string> { ["accept"] = "application/json", [name] = value },
        });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.header_forbidden", response);
        Assert.Equal(name, problem.GetProperty("header").GetString());
        Assert.Contains($"\"{name}\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Upstream.State.Paths, p => p.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_HeaderForbidden_IsLoggedWithTheHeaderNameButNotItsValue()
    {
        var card = await host.CardAsync("fake");
        var value = "card-value-" + Guid.NewGuid().ToString("N");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path = "/models", headers = new Dictionary<string, string> { ["X-Forwarded-Host"] = value } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.header_forbidden", response);
        Assert.Contains(host.App.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("X-Forwarded-Host", StringComparison.Ordinal));
        Assert.DoesNotContain(value, host.App.Logs.AllText, StringComparison.Ordinal);
        var row = await host.LogRowAsync(card, r => r.Error == "broker.header_forbidden");
        Assert.Equal(400, row.Status);
    }

    [Theory]
    [InlineData("/models/%c0%ae%c0%ae/admin")]
    [InlineData("/test/%c0%ae%c0%ae/%c0%ae%c0%ae/admin")]
    [InlineData("/test/%ef%bc%8e%ef%bc%8e/admin")]
    [InlineData("/test/%e0%80%ae%e0%80%ae/admin")]
    public async Task Broker_OverlongOrLookalikeDotsInPath_Returns400PathInvalidAndReachesNothing(string path)
    {
        var card = await host.CardAsync("fake");
        var marker = Guid.NewGuid().ToString("N");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path, query = new Dictionary<string, string> { ["marker"] = marker } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.path_invalid", response);
        Assert.DoesNotContain(host.Upstream.State.Paths, p => p.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_OverlongSequenceInQueryValue_Returns400PathInvalid()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path = "/models", query = new Dictionary<string, string> { ["file"] = "%c0%ae%c0%ae/secret" } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.path_invalid", response);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task Broker_BodyOnMethodWithoutOne_Returns400BodyNotAllowed(string method)
    {
        var card = await host.CardAsync("fake");
        var marker = Guid.NewGuid().ToString("N");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method, path = "/test/echo", query = new Dictionary<string, string> { ["marker"] = marker }, body = "{\"smuggled\":true}" });

        // DELETE is not in the service's methods: the method check answers first, with its own code.
        if (method == "DELETE")
        {
            await Expect.ProblemAsync(HttpStatusCode.MethodNotAllowed, "broker.method_not_allowed", response);
            return;
        }

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.body_not_allowed", response);
        Assert.DoesNotContain(host.Upstream.State.Paths, p => p.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_StreamTowardsServiceWithoutStreaming_Returns400StreamingNotAllowed()
    {
        var card = await host.CardAsync("nostream");

        using var response = await card.Client.PostAsJsonAsync(card.Url("nostream"), Chat(stream: true));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.streaming_not_allowed", response);
    }

    [Fact]
    public async Task Broker_NoStreamTowardsServiceWithoutStreaming_IsAnswered()
    {
        var card = await host.CardAsync("nostream");

        var answer = await card.CallAsync("nostream", Chat(stream: false));

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Broker_BurstBelowRate_AllowsTheBurstThenRefuses()
    {
        var card = await host.CardAsync("bursty");
        for (var i = 0; i < 3; i++)
        {
            await card.CallAsync("bursty", Models);
        }

        using var response = await card.Client.PostAsJsonAsync(card.Url("bursty"), Models);

        var problem = await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "broker.rate_limited", response);
        Assert.Contains("at most 3 at once", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_MethodWithAControlCharacter_IsRefusedAndLoggedAsInvalidNotAsItsBytes()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "G\u0001T", path = "/models" });

        await Expect.ProblemAsync(HttpStatusCode.MethodNotAllowed, "broker.method_not_allowed", response);
        var row = await host.LogRowAsync(card, r => r.Error == "broker.method_not_allowed");
        Assert.Equal("(invalid)", row.Method);
    }

    [Fact]
    public async Task Broker_MethodWithANul_IsRefusedBeforeTheBroker()
    {
        // Text in a request body never holds U+0000 (RequestJson): the call never reaches the broker or its log.
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "G\u0000T", path = "/models" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
        Assert.Contains("/method", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_ServiceIdWithAControlCharacter_IsRefusedAndLoggedAsInvalidNotAsItsBytes()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("gh%01ost"), new { method = "GET", path = "/models" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var row = await host.LogRowAsync(card, r => r.Error == "broker.not_requested");
        Assert.Equal("(invalid)", row.ServiceId);
    }
}
