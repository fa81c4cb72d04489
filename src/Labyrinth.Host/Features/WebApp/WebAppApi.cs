using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Labyrinth.Host.Features.WebApp;

/// <summary>
/// Serves the built Svelte UI: files from the web root, and the app shell (index.html) for
/// navigations to app routes — GET and HEAD alike. Anything that is clearly not a navigation (an
/// API path, a missing file under <c>/assets/</c>, a path ending in a file extension, a fetch the
/// browser marks as not a navigation) answers 404 problem details, never the shell: a missing
/// script must fail as a 404, not parse HTML as JavaScript.
/// </summary>
internal static class WebAppApi
{
    // Extensions the web root serves; a missing one is a missing file, not an app route. (App
    // routes never end in one, while future ones may hold dots, e.g. a plugin id.)
    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".js", ".mjs", ".cjs", ".css", ".map", ".json", ".webmanifest", ".html", ".htm", ".txt", ".xml", ".wasm",
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".br", ".gz", ".zip", ".pdf", ".tgz",
    };

    /// <summary>
    /// Serves the web root's files. Call before <c>UseRouting</c>: the app-shell fallback below
    /// matches every path, and the static-file middleware steps aside for any request that already
    /// has an endpoint. API and plugin paths never probe the web root.
    /// </summary>
    public static IApplicationBuilder UseWebApp(this WebApplication app)
    {
        var paths = app.Services.GetRequiredService<HostPaths>();
        if (Directory.Exists(paths.WebRoot))
        {
            // The sample model ("Add sample model" on the assets page) is one of the host's own files.
            var types = new FileExtensionContentTypeProvider();
            types.Mappings[".glb"] = "model/gltf-binary";
            app.UseWhen(MayBeWebRootFile, files => files.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(paths.WebRoot),
                ContentTypeProvider = types,
                OnPrepareResponse = ctx =>
                {
                    // Vite fingerprints everything under /assets, so those never change; index.html must.
                    ctx.Context.Response.Headers.CacheControl = ctx.Context.Request.Path.StartsWithSegments("/assets")
                        ? "public, max-age=31536000, immutable"
                        : "no-cache";
                },
            }));
        }

        return app;
    }

    // A card origin never serves the host's files: the security middleware already lets through
    // only plugin surfaces there, and this keeps the web root out of reach should that ever change.
    private static bool MayBeWebRootFile(HttpContext http)
    {
        var path = http.Request.Path;
        return http.Features.Get<CardSite>() is null && !path.StartsWithSegments("/api") &&
            !path.StartsWithSegments("/hubs") && !SecurityMiddleware.IsPluginSurface(path);
    }

    public static IEndpointRouteBuilder MapWebApp(this IEndpointRouteBuilder app)
    {
        // "{*path}" rather than the default "{*path:nonfile}", so missing files get this route's
        // problem details (with a code) too. A RequestDelegate, not a delegate with parameters: the
        // compile-time request delegate generator maps MapFallback(pattern, delegate) on the default
        // "{*path:nonfile}" pattern, ignoring the one given (a page path like /cards/page/x/1.0.0 on a
        // card origin then got a bare 404 without a code).
        app.MapFallback("{*path}", async http =>
        {
            var paths = http.RequestServices.GetRequiredService<HostPaths>();
            if (!IsAppNavigation(http.Request))
            {
                // This route takes every method and every body type, so routing's own 405 and 415
                // never happen: an API address that exists says which of the two it was here,
                // rather than "nothing at this address".
                if (http.Request.Path.StartsWithSegments("/api") && http.RequestServices.GetRequiredService<AllowedMethods>().At(http) is { Count: > 0 } allowed)
                {
                    if (allowed.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase))
                    {
                        // Its endpoint was passed over for the body's Content-Type alone.
                        await Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, BadRequestHandler.UnsupportedMediaTypeDetail).ExecuteAsync(http);
                        return;
                    }

                    var list = string.Join(", ", allowed);
                    http.Response.Headers.Allow = list;
                    await Problems.Create(StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed,
                        $"This address does not take {http.Request.Method}; it takes {list}.").ExecuteAsync(http);
                    return;
                }

                await Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.RouteNotFound, "There is nothing at this address.").ExecuteAsync(http);
                return;
            }

            var index = new FileInfo(Path.Combine(paths.WebRoot, "index.html"));
            if (!index.Exists)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("The Labyrinth web UI is not built yet. Run `npm ci && npm run build` in the repository (dotnet run does this for you).");
                return;
            }

            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.ContentLength = index.Length;
            if (HttpMethods.IsHead(http.Request.Method))
            {
                return;
            }

            await http.Response.SendFileAsync(index.FullName);
        }).WithMetadata(new WebAppFallback());
        return app;
    }

    /// <summary>True for a GET or HEAD that may be a person navigating to an app route.</summary>
    public static bool IsAppNavigation(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        if (path.StartsWithSegments("/api") || SecurityMiddleware.IsPluginSurface(path) || (path.StartsWithSegments("/assets", out var rest) && rest.HasValue))
        {
            return false;
        }

        // Browsers say what a request is for; a fetch, script or image load is not a navigation.
        var mode = request.Headers["Sec-Fetch-Mode"].ToString();
        if (mode.Length > 0 && !mode.Equals("navigate", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var value = path.Value ?? "/";
        var last = value[(value.LastIndexOf('/') + 1)..];
        return !FileExtensions.Contains(Path.GetExtension(last));
    }
}
