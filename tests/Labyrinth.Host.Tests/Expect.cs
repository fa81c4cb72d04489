using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

/// <summary>Assertions on HTTP answers that say what came back when they fail.</summary>
internal static class Expect
{
    public static async Task StatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        if (response.StatusCode != expected)
        {
            var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync();
            Assert.Fail($"Expected {(int)expected} {expected} but got {(int)response.StatusCode} {response.StatusCode}: {body}");
        }
    }

    /// <summary>Asserts the status and the problem details' stable code; returns the problem for further checks.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpStatusCode expected, string code, HttpResponseMessage response)
    {
        await StatusAsync(expected, response);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}

internal static class HttpClientExtensions
{
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Prometheus text without the <c>instance="…"</c> label every series carries, so tests match the labels they care about.</summary>
    public static string WithoutInstanceLabel(string metrics) =>
        System.Text.RegularExpressions.Regex.Replace(metrics, ",?instance=\"[^\"]*\"", "")
            .Replace("{,", "{", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal);

    public static string ETag(this JsonElement board) => $"\"{board.GetProperty("version").GetInt64()}\"";

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;
}
