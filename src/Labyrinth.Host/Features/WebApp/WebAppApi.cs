using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Labyrinth.Host.Features.WebApp;

/// <summary>Serves the built Svelte UI with an SPA fallback to index.html.</summary>
internal static class WebAppApi
{
    public static IApplicationBuilder UseWebApp(this WebApplication app)
    {
        var paths = app.Services.GetRequiredService<HostPaths>();
        if (Directory.Exists(paths.WebRoot))
        {
            // The sample model ("Add sample model" on the assets page) is one of the host's own files.
            var types = new FileExtensionContentTypeProvider();
            types.Mappings[".glb"] = "model/gltf-binary";
            app.UseStaticFiles(new StaticFileOptions
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
            });
        }

        return app;
    }

    public static IEndpointRouteBuilder MapWebApp(this IEndpointRouteBuilder app)
    {
        app.MapFallback(async (HttpContext http, HostPaths paths) =>
        {
            var path = http.Request.Path;
            if (path.StartsWithSegments("/api") || SecurityMiddleware.IsPluginSurface(path) || !HttpMethods.IsGet(http.Request.Method))
            {
                await Problems.Create(StatusCodes.Status404NotFound, "route.not_found", "There is nothing at this address.").ExecuteAsync(http);
                return;
            }

            var index = Path.Combine(paths.WebRoot, "index.html");
            if (!File.Exists(index))
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("The Labyrinth web UI is not built yet. Run `npm ci && npm run build` in the repository (dotnet run does this for you).");
                return;
            }

            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.SendFileAsync(index);
        });
        return app;
    }
}
