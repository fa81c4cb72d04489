using Microsoft.Net.Http.Headers;

namespace Labyrinth.Host.Infrastructure;

internal static class HttpCaching
{
    /// <summary>
    /// True when the request's If-None-Match names <paramref name="etag"/> (or "*"), so the answer is
    /// 304. A list of tags and weak tags (W/"…") count, as RFC 9110 says for If-None-Match.
    /// </summary>
    public static bool IfNoneMatchHits(HttpRequest request, string etag)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfNoneMatch;
        return header.Count > 0 && EntityTagHeaderValue.TryParseList(header, out var tags) &&
               tags.Any(t => t.Tag == "*" || t.Tag == etag);
    }
}
