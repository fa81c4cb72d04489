using Labyrinth.Core.Errors;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Headers every response carries, the host pages' CSP, and the CSRF rule for the JSON API.
/// Card frames and plugin files set their own (stricter) policy in the Plugins feature.
/// </summary>
internal static class SecurityMiddleware
{
    // No inline script anywhere in the host UI: Vite emits external modules only.
    public const string HostPageCsp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self'; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseLabyrinthSecurity(this IApplicationBuilder app)
    {
        return app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (!IsPluginSurface(context.Request.Path))
            {
                headers.ContentSecurityPolicy = HostPageCsp;
                headers.XFrameOptions = "DENY";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
            }

            if (context.Request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(context.Request.Method) &&
                !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method))
            {
                var rejection = CheckCsrf(context.Request);
                if (rejection is not null)
                {
                    await Problems.Create(StatusCodes.Status403Forbidden, rejection.Value.Code, rejection.Value.Detail).ExecuteAsync(context);
                    return;
                }
            }

            await next(context);
        });
    }

    public static bool IsPluginSurface(PathString path) =>
        path.StartsWithSegments("/plugins") || path.StartsWithSegments("/cards") || path.StartsWithSegments("/_frame");

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

        // The body types a cross-site <form> or a CORS "simple request" can send are never
        // accepted, so no request that skips the preflight can carry a body here.
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && IsSimpleRequestContentType(request.ContentType))
        {
            return (ErrorCodes.CsrfMissingHeader, "Send JSON (Content-Type: application/json); form and plain-text bodies are refused.");
        }

        return null;
    }

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
