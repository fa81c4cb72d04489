using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Requests made up for routes read from the host's route table, for the tests that sweep every route
/// of a kind (today's and any added later) and check who may reach it.
/// </summary>
internal static class RouteRequests
{
    /// <summary>
    /// A path for <paramref name="pattern"/>: each parameter takes its value from
    /// <paramref name="values"/> by name, else a new GUID where the route asks for one, else "x".
    /// </summary>
    public static string Fill(RoutePattern pattern, IReadOnlyDictionary<string, string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart p when values is not null && values.TryGetValue(p.Name, out var value) => value,
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(c => c.Content == "guid") => Guid.NewGuid().ToString(),
                    RoutePatternParameterPart => "x",
                    _ => throw new InvalidOperationException($"Unexpected route part in {pattern.RawText}."),
                });
            }
        }

        return path.ToString();
    }

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="url"/>; a method that takes a body gets an
    /// empty JSON object, which binds to every route's body, so only who asks decides the answer.
    /// </summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }
}
