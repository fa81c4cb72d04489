using System.Net;
using System.Text;

namespace Labyrinth.Host.Tests;

/// <summary>
/// An /api address asked with a method it does not take answers 405 with Allow, a body of a type it
/// cannot read answers 415, each as problem details with a code; only an address that exists under
/// no method answers 404. One rule for every route, whichever way its handler reads the body.
/// </summary>
public sealed class ApiMethodTests(ApiMethodTests.Host host) : IClassFixture<ApiMethodTests.Host>
{
    private static readonly string Board = Guid.NewGuid().ToString();

    [Theory]
    [InlineData("PUT", "/api/boards", "GET, POST")]
    [InlineData("POST", "/api/boards/{board}", "DELETE, GET, PATCH")]
    [InlineData("POST", "/api/cards/{board}/w1/payload", "GET, PUT")]
    [InlineData("PUT", "/api/admin/users", "GET, POST")]
    [InlineData("GET", "/api/auth/login", "POST")]
    [InlineData("DELETE", "/api/auth/me", "GET")]
    public async Task Api_MethodTheAddressDoesNotTake_Returns405WithAllow(string method, string path, string allow)
    {
        using var response = await SendAsync(method, path, "application/json", "{}");

        var problem = await Expect.ProblemAsync(HttpStatusCode.MethodNotAllowed, "request.method_not_allowed", response);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains(method, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/boards", "text/plain")]
    [InlineData("POST", "/api/boards", "application/x-www-form-urlencoded")]
    [InlineData("PUT", "/api/cards/{board}/w1/payload", "text/plain")]
    [InlineData("POST", "/api/admin/users", "multipart/form-data; boundary=x")]
    [InlineData("POST", "/api/auth/login", "text/plain")]
    public async Task Api_JsonEndpointSentPlainTextOrAForm_Returns415(string method, string path, string contentType)
    {
        using var response = await SendAsync(method, path, contentType, "{\"name\":\"x\"}");

        var problem = await Expect.ProblemAsync(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type", response);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_JsonEndpointSentXml_Returns415()
    {
        using var response = await SendAsync("POST", "/api/auth/login", "application/xml", "<login/>");

        await Expect.ProblemAsync(HttpStatusCode.UnsupportedMediaType, "request.unsupported_media_type", response);
    }

    [Theory]
    [InlineData("PUT", "/api/nothing-here")]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("PUT", "/api/boards/not-a-guid")]
    [InlineData("POST", "/api/nothing-here")]
    public async Task Api_AddressNoMethodTakes_Returns404(string method, string path)
    {
        using var response = await SendAsync(method, path, "text/plain", "x");

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "route.not_found", response);
        Assert.Empty(response.Content.Headers.Allow);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string contentType, string body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{board}", Board, StringComparison.Ordinal));
        if (method is not "GET")
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return await (await host.AdminAsync()).SendAsync(request);
    }

    /// <summary>One host for the class: these requests change nothing.</summary>
    public sealed class Host : IAsyncDisposable
    {
        private readonly LabyrinthApp app = LabyrinthApp.WithoutPlugins();
        private HttpClient? admin;

        internal async Task<HttpClient> AdminAsync() => admin ??= await app.SetupAdminAsync();

        public async ValueTask DisposeAsync()
        {
            admin?.Dispose();
            await app.DisposeAsync();
        }
    }
}
