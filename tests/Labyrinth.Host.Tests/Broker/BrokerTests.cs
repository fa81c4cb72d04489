using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>The broker's checks, in the order docs/api.md lists them, and what crosses it.</summary>
public sealed partial class BrokerTests(BrokerHost host) : IClassFixture<BrokerHost>
{
    private static readonly object Models = new { method = "GET", path = "/models" };

    private static object Chat(bool stream) => new
    {
        method = "POST",
        path = "/chat/completions",
        headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
        body = JsonSerializer.Serialize(new { model = "fake-gpt", stream, messages = new[] { new { role = "user", content = "ping" } } }),
        stream,
    };

    [Fact]
    public async Task Broker_SomeoneElsesCard_Returns404()
    {
        var mine = await host.CardAsync("fake");
        var stranger = await host.CardAsync("fake");

        using var response = await stranger.Client.PostAsJsonAsync(mine.Url("fake"), Models);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task Broker_UnknownWindow_Returns404()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync($"/api/cards/{card.BoardId}/w_0000000000000000/network/fake", Models);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task Broker_CapabilityNotInManifest_Returns403NotRequested()
    {
        var card = await host.CardAsync();

        using var response = await card.Client.PostAsJsonAsync(card.Url("unlisted"), Models);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "broker.not_requested", response);
    }

    [Fact]
    public async Task Broker_NoGrant_Returns403NotGranted()
    {
        var card = await host.CardAsync();

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), Models);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "broker.not_granted", response);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("ghost")]
    public async Task Broker_DisabledOrUndefinedService_Returns404ServiceUnavailable(string service)
    {
        var card = await host.CardAsync(service);

        using var response = await card.Client.PostAsJsonAsync(card.Url(service), Models);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "broker.service_unavailable", response);
    }

    [Fact]
    public async Task Broker_NoSecretStored_Returns409NotConfigured()
    {
        var card = await host.CardAsync("nosecret");

        using var response = await card.Client.PostAsJsonAsync(card.Url("nosecret"), Models);

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "broker.not_configured", response);
    }

    [Fact]
    public async Task Broker_MethodNotAllowed_Returns405()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "DELETE", path = "/models" });

        await Expect.ProblemAsync(HttpStatusCode.MethodNotAllowed, "broker.method_not_allowed", response);
    }

    [Theory]
    [InlineData("https://evil.example/models")]
    [InlineData("//evil.example/models")]
    [InlineData("models")]
    [InlineData("/models/../../admin")]
    [InlineData("/models/%2e%2e/%2e%2e/admin")]
    [InlineData("/models%2f..%2fadmin")]
    [InlineData("/models\\..\\admin")]
    [InlineData("/models\r\nHost: evil.example")]
    [InlineData("/models?x=1")]
    [InlineData("/models#x")]
    public async Task Broker_EscapingPath_Returns400PathInvalid(string path)
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "GET", path });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.path_invalid", response);
        Assert.Equal(0, host.Upstream.State.Paths.Count(p => p.Contains("admin", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Broker_PathOutsidePrefixes_Returns403PathNotAllowed()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "GET", path = "/files" });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "broker.path_not_allowed", response);
    }

    [Fact]
    public async Task Broker_LineBreakInHeader_Returns400HeaderInvalid()
    {
        var card = await host.CardAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path = "/models", headers = new Dictionary<string, string> { ["x-request-id"] = "a\r\nX-Injected: 1" } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "broker.header_invalid", response);
    }

    [Fact]
    public async Task Broker_CardHeaders_OnlySafeOnesReachUpstreamWithTheRealKey()
    {
        var card = await host.CardAsync("fake");
        var headers = new Dictionary<string, string>
        {
            ["Accept"] = "application/json",
            ["X-Request-Id"] = "card-req-1",
            ["X-Stainless-Lang"] = "js",
        };

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/echo", headers });

        var seen = JsonDocument.Parse(answer.Body).RootElement.GetProperty("headers");
        Assert.Equal(200, answer.Status);
        Assert.Equal("application/json", seen.GetProperty("accept").GetString());
        Assert.Equal("card-req-1", seen.GetProperty("x-request-id").GetString());
        Assert.Equal("js", seen.GetProperty("x-stainless-lang").GetString());
        Assert.StartsWith("127.0.0.1", seen.GetProperty("host").GetString());
        Assert.Equal("Bearer " + BrokerHost.Secret, host.Upstream.State.LastHeaders["authorization"]);
    }

    [Fact]
    public async Task Broker_CallMadeInsideATrace_SendsTheUpstreamNoTraceHeaders()
    {
        // An operator who turns tracing on gives each request an activity (the listener here plays it);
        // HttpClient would then tell every third-party API the host's trace and span ids.
        var card = await host.CardAsync("fake");
        using var tracing = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(tracing);

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/echo" });

        Assert.Equal(200, answer.Status);
        var seen = JsonDocument.Parse(answer.Body).RootElement.GetProperty("headers");
        string[] traceHeaders = ["traceparent", "tracestate", "request-id", "baggage", "correlation-context"];
        var sent = traceHeaders.Where(h => seen.TryGetProperty(h, out _)).ToList();
        Assert.Empty(sent);
    }

    [Fact]
    public async Task Broker_UpstreamEchoesTheKey_CardGetsItRedacted()
    {
        var card = await host.CardAsync("fake");

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/echo" });

        Assert.DoesNotContain(BrokerHost.Secret, answer.Raw, StringComparison.Ordinal);
        Assert.Contains("Bearer [redacted]", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_BodyOverServiceCap_Returns413()
    {
        var card = await host.CardAsync("tiny");

        using var response = await card.Client.PostAsJsonAsync(card.Url("tiny"), new { method = "POST", path = "/test/echo", body = "01234567890" });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "broker.request_too_large", response);
    }

    [Fact]
    public async Task Broker_OverRateLimit_Returns429WithRetryAfter()
    {
        var card = await host.CardAsync("tiny");
        for (var i = 0; i < 2; i++)
        {
            await card.CallAsync("tiny", Models);
        }

        using var response = await card.Client.PostAsJsonAsync(card.Url("tiny"), Models);

        await Expect.ProblemAsync(HttpStatusCode.TooManyRequests, "broker.rate_limited", response);
        Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task Broker_RateLimit_IsPerCard()
    {
        var busy = await host.CardAsync("tiny");
        for (var i = 0; i < 2; i++)
        {
            await busy.CallAsync("tiny", Models);
        }

        var other = await host.CardAsync("tiny");

        var answer = await other.CallAsync("tiny", Models);

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Broker_ResponseOverCap_IsCutWithTooLarge()
    {
        var card = await host.CardAsync("tiny");

        var answer = await card.CallAsync("tiny", new { method = "GET", path = "/test/stream-bytes", query = new Dictionary<string, string> { ["n"] = "5000" } });

        Assert.Equal("broker.response_too_large", answer.ErrorCode);
        Assert.True(answer.Body.Length <= 100);
    }

    [Fact]
    public async Task Broker_StreamingChat_RelaysSseChunksThenEnd()
    {
        var card = await host.CardAsync("fake");

        var answer = await card.CallAsync("fake", Chat(stream: true));

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("text/event-stream", answer.Head.GetProperty("headers").GetProperty("content-type").GetString());
        Assert.Contains("\"content\":\" said:\"", answer.Body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", answer.Body, StringComparison.Ordinal);
        Assert.True(answer.Last.GetProperty("end").GetBoolean());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(answer.Body), answer.Last.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Broker_NonStreamingChat_RelaysJsonBody()
    {
        var card = await host.CardAsync("fake");

        var answer = await card.CallAsync("fake", Chat(stream: false));

        var reply = JsonDocument.Parse(answer.Body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal("Hello from the fake upstream! You said: ping", reply);
    }

    [Fact]
    public async Task Broker_UpstreamSetCookieAndAuthHeaders_AreStripped()
    {
        var card = await host.CardAsync("fake");

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/cookie" });

        var headers = answer.Head.GetProperty("headers");
        Assert.False(headers.TryGetProperty("set-cookie", out _));
        Assert.False(headers.TryGetProperty("www-authenticate", out _));
        Assert.False(headers.TryGetProperty("server", out _));
        Assert.Equal("req-123", headers.GetProperty("x-request-id").GetString());
        Assert.Equal("7", headers.GetProperty("openai-processing-ms").GetString());
    }

    [Fact]
    public async Task Broker_SameOriginRedirect_IsFollowed()
    {
        var card = await host.CardAsync("fake");
        var target = host.Upstream.BaseUrl + "/models";

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/redirect", query = new Dictionary<string, string> { ["to"] = target } });

        Assert.Equal(200, answer.Status);
        Assert.Contains("fake-gpt", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_RedirectToAnotherHost_Returns502RedirectRefused()
    {
        var card = await host.CardAsync("fake");
        var elsewhere = $"http://localhost:{host.Upstream.Address.Port}/v1/models";

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path = "/test/redirect", query = new Dictionary<string, string> { ["to"] = elsewhere } });

        await Expect.ProblemAsync(HttpStatusCode.BadGateway, "broker.redirect_refused", response);
    }

    [Fact]
    public async Task Broker_ThreeSameOriginRedirects_AreFollowed()
    {
        var card = await host.CardAsync("fake");
        var target = host.Upstream.BaseUrl + "/models";
        for (var i = 0; i < 2; i++)
        {
            target = host.Upstream.BaseUrl + "/test/redirect?to=" + Uri.EscapeDataString(target);
        }

        var answer = await card.CallAsync("fake", new { method = "GET", path = "/test/redirect", query = new Dictionary<string, string> { ["to"] = target } });

        Assert.Contains("fake-gpt", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_MoreThanThreeRedirects_Returns502RedirectRefused()
    {
        var card = await host.CardAsync("fake");
        // Five same-origin redirects in a row before the real answer: one more than the broker follows.
        var self = host.Upstream.BaseUrl + "/models";
        for (var i = 0; i < 4; i++)
        {
            self = host.Upstream.BaseUrl + "/test/redirect?to=" + Uri.EscapeDataString(self);
        }

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"),
            new { method = "GET", path = "/test/redirect", query = new Dictionary<string, string> { ["to"] = self } });

        await Expect.ProblemAsync(HttpStatusCode.BadGateway, "broker.redirect_refused", response);
    }

    [Theory]
    [InlineData("ssrf-loopback")]
    [InlineData("ssrf-localhost")]
    [InlineData("ssrf-v6-loopback")]
    [InlineData("ssrf-v4-mapped")]
    [InlineData("ssrf-private")]
    [InlineData("ssrf-metadata")]
    [InlineData("ssrf-cgnat")]
    [InlineData("ssrf-unspecified")]
    [InlineData("ssrf-dns-rebind")]
    public async Task Broker_PrivateTargetWithoutAllowPrivate_Returns403AddressForbidden(string service)
    {
        var card = await host.CardAsync(service);
        var before = host.Upstream.State.RequestCount;

        using var response = await card.Client.PostAsJsonAsync(card.Url(service), Models);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "broker.address_forbidden", response);
        Assert.Equal(before, host.Upstream.State.RequestCount);
    }

    [Fact]
    public async Task Broker_ConnectionRefused_Returns502UpstreamFailedWithoutDetails()
    {
        var card = await host.CardAsync("closed");

        using var response = await card.Client.PostAsJsonAsync(card.Url("closed"), Models);

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadGateway, "broker.upstream_failed", response);
        Assert.DoesNotContain("127.0.0.1", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_UpstreamSlowerThanTimeout_Returns504()
    {
        var card = await host.CardAsync("slow");

        using var response = await card.Client.PostAsJsonAsync(card.Url("slow"),
            new { method = "GET", path = "/test/slow", query = new Dictionary<string, string> { ["ms"] = "20000" } });

        await Expect.ProblemAsync(HttpStatusCode.GatewayTimeout, "broker.timeout", response);
    }

    [Fact]
    public async Task Broker_ClientDisconnects_UpstreamStreamIsCancelled()
    {
        var card = await host.CardAsync("fake");
        using var abort = new CancellationTokenSource();
        var id = Guid.NewGuid().ToString("N");
        var response = await card.SendAsync("fake", new { method = "GET", path = "/test/endless", query = new Dictionary<string, string> { ["id"] = id }, stream = true }, abort.Token);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(abort.Token));
        await reader.ReadLineAsync(abort.Token); // head
        await reader.ReadLineAsync(abort.Token); // first chunk: the upstream is streaming

        await abort.CancelAsync();
        response.Dispose();

        await host.Upstream.State.EndlessAbortedFor(id).Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Broker_GrantRevokedMidStream_EndsWithRevoked()
    {
        var card = await host.CardAsync("fake");
        using var response = await card.SendAsync("fake", new { method = "GET", path = "/test/endless", stream = true });
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadLineAsync();
        await reader.ReadLineAsync();

        await card.RevokeAsync("fake");

        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var last = JsonDocument.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("broker.revoked", last.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Broker_AfterRevoke_NextRequestIsNotGranted()
    {
        var card = await host.CardAsync("fake");
        await card.CallAsync("fake", Models);
        await card.RevokeAsync("fake");

        using var response = await card.Client.PostAsJsonAsync(card.Url("fake"), Models);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "broker.not_granted", response);
    }

    [Fact]
    public async Task Broker_QuerySecret_IsInjectedAndCannotBeOverriddenByCard()
    {
        var card = await host.CardAsync("qkey");

        var answer = await card.CallAsync("qkey", new { method = "GET", path = "/echo", query = new Dictionary<string, string> { ["api_key"] = "card-chosen", ["q"] = "a&b" } });

        Assert.Equal($"/open/echo?q=a%26b&api_key={BrokerHost.Secret}", host.Upstream.State.LastPathAndQuery);
        Assert.DoesNotContain(BrokerHost.Secret, answer.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_UserSecret_WinsOverSharedForTheirCards()
    {
        var card = await host.CardAsync("fake");
        using (var own = await card.Client.PostAsJsonAsync("/api/secrets", new { name = "mine", serviceId = "fake", value = "sk-user-own-key-987654321" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, own);
        }

        var answer = await card.CallAsync("fake", Models);

        Assert.Equal(401, answer.Status); // the fake only knows the shared key
        Assert.Equal("Bearer sk-user-own-key-987654321", host.Upstream.State.LastHeaders["authorization"]);
        Assert.Empty(answer.Chunks); // an auth failure's body may quote the key: it is not relayed
    }

    [Fact]
    public async Task Broker_Request_WritesNetworkLogWithoutQueryValues()
    {
        var card = await host.CardAsync("fake");

        await card.CallAsync("fake", new { method = "GET", path = "/test/echo", query = new Dictionary<string, string> { ["q"] = "private-words" } });

        var row = await host.LogRowAsync(card, r => r.Path == "/test/echo");
        Assert.Equal(("fake", "GET", 200), (row.ServiceId, row.Method, row.Status));
        Assert.True(row.ResponseBytes > 0);
        Assert.Null(row.Error);
    }

    [Fact]
    public async Task Broker_Refusal_WritesNetworkLogWithCode()
    {
        var card = await host.CardAsync("fake");

        using var _ = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "GET", path = "/files" });

        var row = await host.LogRowAsync(card, r => r.Error is not null);
        Assert.Equal(("broker.path_not_allowed", 403), (row.Error, row.Status));
    }

    [Fact]
    public async Task Permissions_NetworkSection_ShowsServiceHandleAndRecentRequests()
    {
        var card = await host.CardAsync("fake");
        await card.CallAsync("fake", Models);
        await host.LogRowAsync(card, r => r.Path == "/models");

        var permissions = await card.Client.GetJsonAsync($"/api/cards/{card.BoardId}/{card.WindowId}/permissions");

        var network = permissions.GetProperty("network");
        var fake = network.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("serviceId").GetString() == "fake");
        Assert.True(fake.GetProperty("granted").GetBoolean() && fake.GetProperty("configured").GetBoolean() && fake.GetProperty("enabled").GetBoolean());
        Assert.Equal("Uses Service fake key via Host proxy", fake.GetProperty("usesSecret").GetString());
        Assert.StartsWith($"token://fake/card-{card.WindowId}/session-", fake.GetProperty("handle").GetString(), StringComparison.Ordinal);
        var recent = Assert.Single(network.GetProperty("recent").EnumerateArray());
        Assert.Equal(("/models", 200), (recent.GetProperty("path").GetString(), recent.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Permissions_NetworkSection_ServiceWithoutKeySaysSo()
    {
        var card = await host.CardAsync();

        var permissions = await card.Client.GetJsonAsync($"/api/cards/{card.BoardId}/{card.WindowId}/permissions");

        var nosecret = permissions.GetProperty("network").GetProperty("services").EnumerateArray().Single(s => s.GetProperty("serviceId").GetString() == "nosecret");
        Assert.False(nosecret.GetProperty("configured").GetBoolean());
        Assert.False(nosecret.GetProperty("granted").GetBoolean());
    }
}
