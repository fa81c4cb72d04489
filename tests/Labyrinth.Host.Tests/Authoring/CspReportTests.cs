using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Authoring;

/// <summary>
/// CSP violation reports for the developer overlay: the frame's CSP names a report address on its
/// card origin for viewers who may open the overlay; the anonymous endpoint there takes only
/// bounded CSP reports at a bounded rate; each viewer reads back only their own frames' reports.
/// Every test installs a plugin of its own, so the per-version rate never crosses tests.
/// </summary>
public sealed class CspReportTests(GovernanceHostFixture fixture) : IClassFixture<GovernanceHostFixture>
{
    private GovernanceHost Host => fixture.Host;

    private const string Legacy = "application/csp-report";
    private const string ReportingApi = "application/reports+json";

    private static string LegacyReport(string directive = "connect-src", string blocked = "http://localhost:5080/api/auth/me", string? sample = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["csp-report"] = new Dictionary<string, object?>
            {
                ["document-uri"] = "http://x.cards.localhost/cards/frame/a/1.0.0/t",
                ["effective-directive"] = directive,
                ["violated-directive"] = directive,
                ["original-policy"] = "default-src 'none'",
                ["blocked-uri"] = blocked,
                ["source-file"] = "http://x.cards.localhost/plugins/a/1.0.0/cards/t.js",
                ["line-number"] = 12,
                ["column-number"] = 3,
                ["script-sample"] = sample,
                ["disposition"] = "enforce",
                ["status-code"] = 200,
            },
        });

    private async Task<string> InstallAsync(bool dev = false)
    {
        var id = "com.example.csp" + Guid.NewGuid().ToString("N")[..8];
        if (dev)
        {
            var content = new ByteArrayContent(Packages.Zip(Packages.Plugin(id, "1.0.0-dev.1")));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await Host.Admin.PostAsync("/api/admin/plugins/dev", content);
            await Expect.StatusAsync(HttpStatusCode.Created, response);
        }
        else
        {
            await Host.InstallOkAsync(id, "1.0.0");
        }

        return id;
    }

    private static async Task<JsonElement> ListedAsync(HttpClient viewer, string id) =>
        (await viewer.GetJsonAsync("/api/plugins")).EnumerateArray().Single(p => p.Id() == id);

    private static async Task<string> TokenAsync(HttpClient viewer, string id) =>
        (await ListedAsync(viewer, id)).GetProperty("reportToken").GetString()!;

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string id, string version, string token, string? mediaType, HttpContent? content = null, string? body = null, string? host = null)
    {
        content ??= new StringContent(body ?? LegacyReport(), Encoding.UTF8);
        content.Headers.ContentType = mediaType is null ? null : MediaTypeHeaderValue.Parse(mediaType);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/cards/csp-report/{id}/{version}/{token}") { Content = content };
        request.Headers.Host = host ?? CardSites.HostFor(client, id, version);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement[]> ReadAsync(HttpClient viewer, string id, string version, long after = 0) =>
        (await viewer.GetJsonAsync($"/api/plugins/{id}/{version}/csp-reports?after={after}")).GetProperty("violations").EnumerateArray().ToArray();

    [Fact]
    public async Task FrameCsp_AdminsFrameUrl_NamesAReportUriOnTheCardOrigin()
    {
        var id = await InstallAsync();
        var listed = await ListedAsync(Host.Admin, id);
        var token = listed.GetProperty("reportToken").GetString()!;
        var frameUrl = new Uri(listed.GetProperty("cards")[0].GetProperty("frameUrl").GetString()!);
        Assert.Equal($"?r={token}", frameUrl.Query);

        using var frame = await Host.Admin.GetOnCardOriginAsync(frameUrl.PathAndQuery);

        await Expect.StatusAsync(HttpStatusCode.OK, frame);
        var csp = frame.Headers.GetValues("Content-Security-Policy").Single();
        Assert.EndsWith($"; report-uri http://{CardSites.HostFor(Host.Admin, id, "1.0.0")}/cards/csp-report/{id}/1.0.0/{token}", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("report-to", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrameCsp_TokenTheHostDidNotIssue_NoReportUriAndNothingInjected()
    {
        var id = await InstallAsync();

        using var frame = await Host.Admin.GetOnCardOriginAsync($"/cards/frame/{id}/1.0.0/t?r={Uri.EscapeDataString("AAAAAAAAAAAAAAAAAAAAAA; script-src *")}");
        using var forged = await Host.Admin.GetOnCardOriginAsync($"/cards/frame/{id}/1.0.0/t?r=AAAAAAAAAAAAAAAAAAAAAA");

        foreach (var response in new[] { frame, forged })
        {
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.DoesNotContain("report-uri", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("script-src *", csp, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FrameCsp_AnotherPluginsToken_NoReportUri()
    {
        var id = await InstallAsync();
        var other = await InstallAsync();
        var otherToken = await TokenAsync(Host.Admin, other);

        using var frame = await Host.Admin.GetOnCardOriginAsync($"/cards/frame/{id}/1.0.0/t?r={otherToken}");

        Assert.DoesNotContain("report-uri", frame.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_LegacyFormatWithoutACookie_KeptForItsViewer()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        using var anonymous = await Host.App.CreateClientAsync();

        using var response = await PostAsync(anonymous, id, "1.0.0", token, Legacy + "; charset=utf-8");

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        var v = Assert.Single(await ReadAsync(Host.Admin, id, "1.0.0"));
        Assert.Equal("connect-src", v.GetProperty("directive").GetString());
        Assert.Equal("http://localhost:5080/api/auth/me", v.GetProperty("blocked").GetString());
        Assert.Equal(12, v.GetProperty("line").GetInt32());
        Assert.Equal("enforce", v.GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task Report_ReportingApiBatch_KeepsOnlyCspViolations()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        var body = JsonSerializer.Serialize(new object[]
        {
            new { type = "csp-violation", age = 10, url = "http://x/", body = new { effectiveDirective = "img-src", blockedURL = "https://example.com/pixel.png", disposition = "enforce", lineNumber = 4 } },
            new { type = "deprecation", age = 10, url = "http://x/", body = new { id = "x", message = "old" } },
        });

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, ReportingApi, body: body);

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        var v = Assert.Single(await ReadAsync(Host.Admin, id, "1.0.0"));
        Assert.Equal("img-src", v.GetProperty("directive").GetString());
        Assert.Equal("https://example.com/pixel.png", v.GetProperty("blocked").GetString());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Report_AnyOtherMediaType_Refused415(string? mediaType)
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, mediaType);

        await Expect.ProblemAsync(HttpStatusCode.UnsupportedMediaType, "csp_report.unsupported_type", response);
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0"));
    }

    [Fact]
    public async Task Report_OverTheSizeLimitDeclared_Refused413()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, body: LegacyReport(blocked: new string('a', CspReportParser.MaxBodyBytes)));

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "csp_report.too_large", response);
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0"));
    }

    [Fact]
    public async Task Report_OverTheSizeLimitChunkedWithoutALength_Refused413()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        var huge = Encoding.UTF8.GetBytes(LegacyReport(blocked: new string('a', 1024 * 1024)));
        var content = new StreamContent(new MemoryStream(huge)); // no Content-Length: sent chunked
        content.Headers.ContentLength = null;

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, content);

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "csp_report.too_large", response);
    }

    [Theory]
    [InlineData(Legacy, "{not json")]
    [InlineData(Legacy, "[]")]
    [InlineData(Legacy, "{\"csp-report\": \"x\"}")]
    [InlineData(Legacy, "{\"other\": {}}")]
    [InlineData(ReportingApi, "{\"csp-report\": {}}")]
    [InlineData(ReportingApi, "[]")]
    [InlineData(ReportingApi, "[1, 2]")]
    [InlineData(ReportingApi, "[{\"type\": \"csp-violation\"}]")]
    [InlineData(Legacy, "{\"csp-report\": {\"a\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}}")]
    public async Task Report_NotACspReport_Refused400(string mediaType, string body)
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, mediaType, body: body);

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "csp_report.malformed", response);
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0"));
    }

    [Fact]
    public async Task Report_ReportingApiBatchOverTen_Refused400()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        var one = new { type = "csp-violation", body = new { effectiveDirective = "img-src", blockedURL = "data" } };

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, ReportingApi, body: JsonSerializer.Serialize(Enumerable.Repeat(one, CspReportParser.MaxPerBatch + 1)));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "csp_report.malformed", response);
    }

    [Fact]
    public async Task Report_HostileFields_KeptAsBoundedPlainText()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        var body = LegacyReport(
            directive: "script-src<img src=x onerror=alert(1)>",
            blocked: "javascript:alert(1)\u202E\u0000\n" + new string('x', 1000),
            sample: "<script>alert(document.cookie)</script>" + new string('y', 500));

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, body: body);

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        var v = Assert.Single(await ReadAsync(Host.Admin, id, "1.0.0"));
        Assert.Equal("unknown", v.GetProperty("directive").GetString()); // not a directive name: not echoed
        var blocked = v.GetProperty("blocked").GetString()!;
        Assert.True(blocked.Length <= 301, $"{blocked.Length} characters kept");
        Assert.DoesNotContain('\u202E', blocked);
        Assert.DoesNotContain('\0', blocked);
        Assert.DoesNotContain('\n', blocked);
        Assert.True(v.GetProperty("sample").GetString()!.Length <= 81);
    }

    [Fact]
    public async Task Report_OverTheRate_DroppedWith429AndCounted_AnotherVersionUnaffected()
    {
        var id = await InstallAsync();
        await Host.InstallOkAsync(id, "1.1.0");
        var token = await TokenAsync(Host.Admin, id);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < CspReportStore.Burst + 5; i++)
        {
            using var r = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy);
            statuses.Add(r.StatusCode);
        }

        using var other = await PostAsync(Host.Admin, id, "1.1.0", token, Legacy);

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.NoContent) <= CspReportStore.Burst + 1, string.Join(',', statuses)); // one may refill while the loop runs
        await Expect.StatusAsync(HttpStatusCode.NoContent, other);
        var read = await Host.Admin.GetJsonAsync($"/api/plugins/{id}/1.0.0/csp-reports");
        Assert.True(read.GetProperty("dropped").GetInt64() >= 4);
    }

    [Fact]
    public async Task Report_OnTheHostOrigin_NotFound()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);

        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, host: Host.Admin.BaseAddress!.Authority);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0"));
    }

    [Fact]
    public async Task Report_AnotherVersionsCardOrigin_NotFound()
    {
        var id = await InstallAsync();
        await Host.InstallOkAsync(id, "1.1.0");
        var token = await TokenAsync(Host.Admin, id);

        // A report for 1.0.0 arriving on 1.1.0's origin: the origin, not the path, says which version sent it.
        using var response = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, host: CardSites.HostFor(Host.Admin, id, "1.1.0"));

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "csp_report.unknown", response);
    }

    [Fact]
    public async Task Report_UnknownOrOtherPluginsToken_NotFound()
    {
        var id = await InstallAsync();
        var other = await InstallAsync();
        var otherToken = await TokenAsync(Host.Admin, other);

        using var forged = await PostAsync(Host.Admin, id, "1.0.0", "AAAAAAAAAAAAAAAAAAAAAA", Legacy);
        using var crossed = await PostAsync(Host.Admin, id, "1.0.0", otherToken, Legacy);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "csp_report.unknown", forged);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "csp_report.unknown", crossed);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    public async Task ReportAddress_OtherMethods_AcceptNothing(string method)
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/cards/csp-report/{id}/1.0.0/{token}");
        request.Headers.Host = CardSites.HostFor(Host.Admin, id, "1.0.0");
        if (method == "PUT")
        {
            request.Content = new StringContent(LegacyReport(), Encoding.UTF8, Legacy);
        }

        using var response = await Host.Admin.SendAsync(request);

        Assert.False(response.IsSuccessStatusCode, $"{method} answered {(int)response.StatusCode}");
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0"));
    }

    [Fact]
    public async Task Reports_AnotherViewersFrames_NotShown()
    {
        var id = await InstallAsync(dev: true);
        var member = await Host.App.CreateMemberAsync("m" + Guid.NewGuid().ToString("N")[..10], Host.Admin);
        var memberToken = await TokenAsync(member, id);
        Assert.NotEqual(memberToken, await TokenAsync(Host.Admin, id));

        using var response = await PostAsync(member, id, "1.0.0-dev.1", memberToken, Legacy);

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
        Assert.Single(await ReadAsync(member, id, "1.0.0-dev.1"));
        Assert.Empty(await ReadAsync(Host.Admin, id, "1.0.0-dev.1")); // the admin sees their own frames' reports, not the member's
    }

    [Fact]
    public async Task Reports_MemberOnAReleasedVersion_NoTokenAndForbidden()
    {
        var id = await InstallAsync();
        var member = await Host.App.CreateMemberAsync("m" + Guid.NewGuid().ToString("N")[..10], Host.Admin);

        var listed = await ListedAsync(member, id);
        using var read = await member.GetAsync($"/api/plugins/{id}/1.0.0/csp-reports");

        Assert.False(listed.TryGetProperty("reportToken", out _));
        Assert.DoesNotContain("?r=", listed.GetProperty("cards")[0].GetProperty("frameUrl").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csp_report.forbidden", read);
    }

    [Fact]
    public async Task Reports_AfterASequenceNumber_OnlyNewerOnes()
    {
        var id = await InstallAsync();
        var token = await TokenAsync(Host.Admin, id);
        using (var first = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, body: LegacyReport(directive: "img-src")))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, first);
        }

        var seq = Assert.Single(await ReadAsync(Host.Admin, id, "1.0.0")).GetProperty("seq").GetInt64();
        using (var second = await PostAsync(Host.Admin, id, "1.0.0", token, Legacy, body: LegacyReport(directive: "font-src")))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, second);
        }

        var newer = Assert.Single(await ReadAsync(Host.Admin, id, "1.0.0", after: seq));
        Assert.Equal("font-src", newer.GetProperty("directive").GetString());
    }
}
