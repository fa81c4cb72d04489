using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Plugins;
using Microsoft.AspNetCore.Http.Features;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Headers every response carries, the host pages' CSP, the split between the host origin and the
/// card origins, and the CSRF rule for the JSON API. Card frames and plugin files set their own
/// (stricter) policy in the Plugins feature.
/// </summary>
internal static class SecurityMiddleware
{
    /// <summary>
    /// The host pages' CSP. No inline script anywhere in the host UI (Vite emits external modules
    /// only), and `'self'` is host code only: plugin files live on the card origins, which are
    /// allowed as frames and nothing else.
    /// </summary>
    public static string HostPageCsp(string frameSource) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        $"font-src 'self'; frame-src {frameSource}; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseLabyrinthSecurity(this IApplicationBuilder app)
    {
        var origins = app.ApplicationServices.GetRequiredService<CardOrigins>();
        // Not async: the card-origin path (plugin files) completes without a state machine.
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = NoSniff;
            headers["Referrer-Policy"] = NoReferrer;

            // Both spellings count: Kestrel has already removed dot segments from Request.Path, so
            // /_frame/%2e%2e/x arrives as /x while its raw target still names a plugin surface.
            var pathIsSurface = IsPluginSurface(context.Request.Path);
            var rawIsSurface = RawIsPluginSurface(context);
            var site = origins.Classify(context.Request);
            if (site is not null)
            {
                // A card origin serves plugin files, frames and the bootstrap; nothing else (no API,
                // no app shell), whatever the path turned into after normalisation.
                if (!pathIsSurface || !rawIsSurface)
                {
                    return NotFound(context, "A card origin serves only plugin files and card frames.");
                }

                context.Features.Set(site);
                return next(context);
            }

            if (pathIsSurface || rawIsSurface)
            {
                return NotFound(context, "Plugin files and card frames are served only on card origins.");
            }

            headers.ContentSecurityPolicy = HostPageCsp(origins.FrameSource(context.Request));
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";

            if (context.Request.Path.StartsWithSegments("/api") && HasNulInQuery(context.Request))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, RequestJson.NulMessage[..^1] + " (in the query string).")
                    .ExecuteAsync(context);
            }

            if (context.Request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(context.Request.Method) &&
                !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method))
            {
                var rejection = CheckCsrf(context.Request);
                if (rejection is not null)
                {
                    return Problems.Create(StatusCodes.Status403Forbidden, rejection.Value.Code, rejection.Value.Detail).ExecuteAsync(context);
                }
            }

            return next(context);
        });
    }

    private static readonly Microsoft.Extensions.Primitives.StringValues NoSniff = "nosniff";
    private static readonly Microsoft.Extensions.Primitives.StringValues NoReferrer = "no-referrer";

    /// <summary>
    /// Does the raw target's first segment name a plugin surface? Read in place when that segment
    /// has no escapes (every request a browser sends for plugin files); decoded otherwise.
    /// </summary>
    private static bool RawIsPluginSurface(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw) && raw[0] == '/')
        {
            var rest = raw.AsSpan(1);
            var end = rest.IndexOfAny('/', '?', '#');
            var first = end < 0 ? raw.AsSpan() : raw.AsSpan(0, end + 1);
            if (!first.Contains('%'))
            {
                // As PathString.StartsWithSegments compares: ignoring case, whole segments.
                return first.Equals("/" + CardCapabilities.Segment, StringComparison.OrdinalIgnoreCase) ||
                       first.Equals("/plugins", StringComparison.OrdinalIgnoreCase) ||
                       first.Equals("/cards", StringComparison.OrdinalIgnoreCase) ||
                       first.Equals("/_frame", StringComparison.OrdinalIgnoreCase);
            }
        }

        return IsPluginSurface(RawPath(context));
    }

    public static bool IsPluginSurface(PathString path) =>
        path.StartsWithSegments("/" + CardCapabilities.Segment) || path.StartsWithSegments("/plugins") || path.StartsWithSegments("/cards") || path.StartsWithSegments("/_frame");

    /// <summary>The request target's path as sent (origin-form or absolute-form), its first segment decoded once.</summary>
    private static PathString RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path; // an in-process server (tests) has no raw target
        }

        if (!raw.StartsWith('/'))
        {
            // absolute-form (http://host/path): the path starts at the first '/' after "//".
            var authority = raw.IndexOf("//", StringComparison.Ordinal);
            var slash = authority < 0 ? -1 : raw.IndexOf('/', authority + 2);
            raw = slash < 0 ? "/" : raw[slash..];
        }

        var end = raw.IndexOfAny(['?', '#']);
        raw = end < 0 ? raw : raw[..end];
        var second = raw.IndexOf('/', 1);
        var first = second < 0 ? raw : raw[..second];
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(first);
        }
        catch (UriFormatException)
        {
            decoded = first;
        }

        return decoded.StartsWith('/') ? new PathString(decoded) : PathString.Empty;
    }

    /// <summary>
    /// A query value is text like a body's strings (<see cref="RequestJson"/>): U+0000 would reach a
    /// PostgreSQL look-up as a parameter it refuses (a 500). Kestrel already refuses it in the path.
    /// </summary>
    private static bool HasNulInQuery(HttpRequest request) =>
        request.QueryString.Value is { Length: > 0 } query && query.Contains("%00", StringComparison.Ordinal);

    private static Task NotFound(HttpContext context, string detail) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.RouteNotFound, detail).ExecuteAsync(context);

    private static (string Code, string Detail)? CheckCsrf(HttpRequest request)
    {
        // A cross-site page can neither add a custom header without a CORS preflight (which we
        // never approve) nor hide Sec-Fetch-Site from a modern browser.
        if (string.Equals(request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return (ErrorCodes.CsrfCrossSite, "Requests from other sites are refused.");
        }

        // A bearer token is never attached by a browser on its own (unlike the cookie), so a
        // request carrying one is not a forgery; the CLI sends no custom header.
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (request.Headers["X-Labyrinth-Request"] != "1")
        {
            return (ErrorCodes.CsrfMissingHeader, "This request is missing the X-Labyrinth-Request header that the Labyrinth UI sends.");
        }

        return null;
    }

    /// <summary>
    /// After routing: an unsafe API request whose body is one a cross-site <c>&lt;form&gt;</c> or a
    /// CORS "simple request" can send (plain text, a form, no type) is refused before any handler
    /// runs, so no request that skips the preflight can carry a body to one. Answered here, once
    /// the address is known, as what it is for a person: 415 for an address that exists (whatever
    /// its handler reads the body with), 404 or 405 from the fallback for one that does not.
    /// </summary>
    public static IApplicationBuilder UseApiBodyTypes(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) &&
                !HttpMethods.IsOptions(request.Method) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0) &&
                IsSimpleRequestContentType(request.ContentType) && context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<WebAppFallback>() is null)
            {
                return Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, BadRequestHandler.UnsupportedMediaTypeDetail)
                    .ExecuteAsync(context);
            }

            return next(context);
        });

    private static bool IsSimpleRequestContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase) ||
               mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ||
               mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
    }
}
