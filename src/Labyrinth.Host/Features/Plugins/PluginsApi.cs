using System.Security.Cryptography;
using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Plugins;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Labyrinth.Host.Features.Plugins;

internal static partial class PluginsApi
{
    /// <summary>The frame URL's query parameter carrying the viewer's CSP report token.</summary>
    public const string ReportTokenQuery = "r";

    public static IServiceCollection AddPlugins(this IServiceCollection services)
    {
        services.AddOptions<CardOriginOptions>()
            .Configure<IConfiguration>((o, config) =>
            {
                o.OriginTemplate = config["Labyrinth:Cards:OriginTemplate"] is { Length: > 0 } t ? t : CardOriginOptions.DefaultTemplate;
                o.PublicOrigin = config["Labyrinth:PublicOrigin"];
            })
            .Validate(o => CardOrigins.Validate(o) is null, "Labyrinth:Cards:OriginTemplate / Labyrinth:PublicOrigin are invalid (see docs/operations.md, \"Card origins\").")
            .ValidateOnStart();
        services.AddSingleton<CardOrigins>();
        services.AddSingleton<CardCapabilities>();
        services.AddSingleton<CompressedVariants>();
        services.AddSingleton<PluginCatalog>();
        services.AddSingleton<FrameBootstrapFile>();
        services.AddSingleton<PluginFileServer>();
        services.AddScoped<PluginStore>();
        services.AddScoped<ExamplePlugins>();
        services.AddScoped<LocalPublisher>();
        services.AddSingleton<CardFailureThrottle>();
        return services;
    }

    /// <summary>Plugin files on card origins, answered before static files, routing and auth (<see cref="PluginFileServer"/>).</summary>
    public static IApplicationBuilder UsePluginFiles(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved at the first request, not while the pipeline is built: its capability key lives in
        // the data directory, whose start-up checks (one sentence, exit 78) must run first.
        var services = app.ApplicationServices;
        PluginFileServer? server = null;
        return app.Use((http, next) => http.Features.Get<CardSite>() is not null && PluginFileServer.Handles(http)
            ? (server ??= services.GetRequiredService<PluginFileServer>()).ServeAsync(http)
            : next(http));
    }

    public static IEndpointRouteBuilder MapPlugins(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/plugins", ListPlugins).RequireAuthorization().WithTags("Plugins");
        app.MapGet("/api/plugins/card-origins", DescribeCardOrigins).RequireAuthorization().WithTags("Plugins");
        app.MapPost("/api/telemetry/card-load", ReportCardLoad).RequireAuthorization().WithTags("Plugins");
        app.MapPost("/api/telemetry/card-error", ReportCardError).RequireAuthorization().WithTags("Plugins");

        // Plugin files and frames are fetched by opaque-origin frames that carry no cookie, so each
        // person's page gets capability URLs instead (/cap/{token}/…, CardCapabilities): without a
        // token that verifies for this plugin version, nothing is served. Frames ShortCircuit in the
        // routing middleware, skipping auth and rate limiting; plugin files (the hot path) are
        // answered before routing by UsePluginFiles. They are reached only on card origins: the
        // security middleware answers 404 on the host's.
        var cap = "/" + CardCapabilities.Segment + "/{token}";
        app.MapGet(cap + "/cards/frame/{id}/{version}/{typeId}", ServeFrame).ShortCircuit().ExcludeFromDescription();
        app.MapGet(cap + "/cards/service/{id}/{version}/{serviceId}", ServeServiceFrame).ShortCircuit().ExcludeFromDescription();
        app.MapGet(cap + "/cards/page/{id}/{version}", Apps.AppPages.ServeFrame).ShortCircuit().ExcludeFromDescription();
        app.MapMethods(FrameDocument.BootstrapPath, ["GET", "HEAD"], (HttpContext http, FrameBootstrapFile file) => file.Serve(http)).ShortCircuit().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The plugins this person can use, each on the version assigned to them (during a staged
    /// rollout the new version only for its audience); plugins limited to other groups are left out.
    /// </summary>
    private static Ok<PluginDto[]> ListPlugins(PluginCatalog catalog, PluginAccess access, HttpContext http, CardOrigins origins, CardCapabilities capabilities, CspReportTokens reportTokens)
    {
        var user = http.User.UserId();
        var admin = http.User.IsInRole(Roles.Admin);
        var urls = new CardUrls(origins, http.Request, capabilities, access, user);
        return TypedResults.Ok(catalog.All
            .Where(p => p.IsUsable && access.IsAvailable(user, p.Id))
            .Select(p => (Plugin: p, Version: p.Versions.GetValueOrDefault(access.AssignedVersion(user, p)) is { } v && !p.IsKilled(v.Version) ? v : p.Active!))
            .Where(p => p.Version.Manifest.Cards.Count > 0) // themes-only plugins have nothing to spawn
            .OrderBy(p => p.Plugin.Id, StringComparer.Ordinal)
            .Select(p => PluginMapping.ToDto(p.Plugin, p.Version, urls with
            {
                // Only viewers who may open the developer overlay get their frames' CSP reports.
                ReportToken = admin || p.Plugin.Versions.Values.Any(v => v.SignatureStatus == PluginStore.StatusDev) ? reportTokens.Issue(user, admin, p.Plugin.Id) : null,
            }))
            .ToArray());
    }

    private static Ok<CardOriginsDto> DescribeCardOrigins(CardOrigins origins, HttpRequest request) =>
        TypedResults.Ok(new CardOriginsDto(
            origins.Template,
            origins.Isolated,
            origins.HostOrigin(request),
            origins.FrameSource(request),
            origins.Warnings(request).Select(w => new CardOriginWarningDto(w.Code, w.Message)).ToArray()));

    private static async Task<Results<NoContent, ProblemHttpResult>> ReportCardLoad(
        CardLoadReport report, PluginCatalog catalog, LabyrinthMetrics metrics, ILoggerFactory loggers, AuditLog audit, CardFailureThrottle throttle, RolloutRecorder rollouts,
        HttpContext http, CancellationToken ct)
    {
        // Labels come only from installed plugins, so a client cannot blow up metric cardinality.
        var version = report.PluginId is null || report.Version is null ? null : catalog.FindVersion(report.PluginId, report.Version);
        var card = report.TypeID is null ? null : version?.FindCard(report.TypeID);
        if (version is null || card is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SpawnCardNotFound, "That plugin card is not installed.");
        }

        // A frame that loaded but whose card threw while mounting, or whose code failed to load, is
        // a mount failure; an error the card raised before it was ready is a card error.
        var user = http.User.UserId();
        var cardError = !report.Ok && report.Error is { } e && e.StartsWith("runtime:", StringComparison.Ordinal);
        await rollouts.RecordAsync(user, version.PluginId, version.Version, report.Ok || cardError ? CardOutcome.Opened : CardOutcome.MountFailed, ct);
        if (cardError)
        {
            await rollouts.RecordAsync(user, version.PluginId, version.Version, CardOutcome.CardError, ct);
        }
        var logger = loggers.CreateLogger("Labyrinth.Cards");
        var loadMs = report.LoadMs is { } ms && double.IsFinite(ms) && ms >= 0 ? ms : 0;
        metrics.CardMounted(version.PluginId, version.Version, report.Ok, loadMs / 1000.0, version.EntryBytes(card));
        if (report.Ok)
        {
            LogCardMounted(logger, version.PluginId, version.Version, card.TypeId, loadMs);
        }
        else
        {
            var error = (report.Error ?? "unknown error").ReplaceLineEndings(" ");
            error = error.Length > 500 ? error[..500] : error;
            LogCardFailed(logger, version.PluginId, version.Version, card.TypeId, error);
            var actor = http.User.Identity?.Name ?? "unknown";
            if (await throttle.ShouldAuditAsync(actor, version.PluginId, version.Version, card.TypeId, ct))
            {
                // The error text comes from the plugin's frame (untrusted): bounded, and it is all the detail holds.
                await audit.AppendAsync(actor, AuditActions.CardMountFailed, version.PluginId, new { version = version.Version, typeID = card.TypeId, error }, ct);
            }
        }

        return TypedResults.NoContent();
    }

    /// <summary>A card that mounted raised an error (the page reports the first one per open): counted for rollouts.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ReportCardError(
        CardErrorReport report, PluginCatalog catalog, RolloutRecorder rollouts, HttpContext http, CancellationToken ct)
    {
        var version = report.PluginId is null || report.Version is null ? null : catalog.FindVersion(report.PluginId, report.Version);
        if (version is null || report.TypeID is null || version.FindCard(report.TypeID) is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.SpawnCardNotFound, "That plugin card is not installed.");
        }

        await rollouts.RecordAsync(http.User.UserId(), version.PluginId, version.Version, CardOutcome.CardError, ct);
        return TypedResults.NoContent();
    }

    private static IResult ServeFrame(HttpContext http, string token, string id, string version, string typeId, PluginCatalog catalog, CardOrigins origins, CardCapabilities capabilities, CspReportTokens reportTokens, FrameBootstrapFile bootstrap)
    {
        if (http.Features.Get<CardSite>() is not { } site || !CardOrigins.Serves(site, id, version))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.SpawnCardNotFound, "This card is not served on this origin.");
        }

        var plugin = catalog.Find(id);
        var installed = plugin?.Versions.GetValueOrDefault(version);
        var card = installed?.FindCard(typeId);
        if (plugin is null || !plugin.Enabled || installed is null || card is null || capabilities.Verify(token, plugin, version) is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.SpawnCardNotFound, "This card is not installed or not enabled.");
        }

        if (plugin.IsKilled(version))
        {
            http.Response.Headers.CacheControl = "no-store";
            return Problems.Create(StatusCodes.Status410Gone, ErrorCodes.PluginKilled, "This plugin was stopped by an administrator.");
        }

        var reportUri = CspReportsApi.ReportUri(reportTokens, Origin(http), id, version, http.Request.Query[ReportTokenQuery]);
        if (card.IsHtmlEntry)
        {
            return TypedResults.Redirect(FilesBase(token, id, version) + card.Entry + (reportUri is null ? "" : $"?{ReportTokenQuery}={http.Request.Query[ReportTokenQuery]}"));
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = FrameDocument.CardCsp(Origin(http), origins.FrameAncestors(http.Request), FilesBase(token, id, version), reportUri);
        headers.CacheControl = "no-cache";
        headers["X-DNS-Prefetch-Control"] = "off";
        var html = FrameDocument.Render(FilesBase(token, id, version) + card.Entry, card.Name, bootstrap.Url);
        return new BytesResult(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8");
    }

    /// <summary>A background service's hidden frame: the same document, bootstrap and CSP as a card's.</summary>
    private static IResult ServeServiceFrame(HttpContext http, string token, string id, string version, string serviceId, PluginCatalog catalog, CardOrigins origins, CardCapabilities capabilities, FrameBootstrapFile bootstrap)
    {
        if (http.Features.Get<CardSite>() is not { } site || !CardOrigins.Serves(site, id, version))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ServiceNotRunning, "This service is not served on this origin.");
        }

        var plugin = catalog.Find(id);
        var installed = plugin?.Versions.GetValueOrDefault(version);
        var service = installed?.Manifest.FindService(serviceId);
        if (plugin is null || !plugin.Enabled || installed is null || service is null || capabilities.Verify(token, plugin, version) is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.ServiceNotRunning, "This service is not installed or not enabled.");
        }

        if (plugin.IsKilled(version))
        {
            http.Response.Headers.CacheControl = "no-store";
            return Problems.Create(StatusCodes.Status410Gone, ErrorCodes.PluginKilled, "This plugin was stopped by an administrator.");
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = FrameDocument.CardCsp(Origin(http), origins.FrameAncestors(http.Request), FilesBase(token, id, version));
        headers.CacheControl = "no-cache";
        headers["X-DNS-Prefetch-Control"] = "off";
        var html = FrameDocument.Render(FilesBase(token, id, version) + service.Entry, $"{installed.Manifest.Name} ({service.Id})", bootstrap.Url);
        return new BytesResult(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8");
    }

    /// <summary>Where one plugin version's files are for the person holding <paramref name="token"/> (the path, ending in '/').</summary>
    internal static string FilesBase(string token, string id, string version) => $"/{CardCapabilities.Segment}/{token}" + PluginMapping.FileUrl(id, version, "");

    /// <summary>The origin this request reached: on a card origin, that card origin.</summary>
    public static string Origin(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return $"{http.Request.Scheme}://{http.Request.Host}".ToLowerInvariant();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Card {PluginId}@{Version}/{TypeId} mounted in {LoadMs} ms")]
    private static partial void LogCardMounted(ILogger logger, string pluginId, string version, string typeId, double loadMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Card {PluginId}@{Version}/{TypeId} failed to mount: {Error}")]
    private static partial void LogCardFailed(ILogger logger, string pluginId, string version, string typeId, string error);
}

/// <summary>
/// Audits a card's mount failure once a minute per user, plugin version and card type, counted
/// once for the whole cluster, so a crash loop cannot flood the log from any number of instances.
/// </summary>
internal sealed class CardFailureThrottle(Cluster.SharedRateLimits limits)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public ValueTask<bool> ShouldAuditAsync(string actor, string pluginId, string version, string typeId, CancellationToken ct) =>
        limits.TryClaimAsync("audit:cardfail:" + string.Join('\n', actor, pluginId, version, typeId), Window, ct);
}

/// <summary>Writes an in-memory body without copying; HEAD gets headers only.</summary>
internal sealed class BytesResult(byte[] body, string contentType) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.ContentType = contentType;
        httpContext.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>
/// The frame bootstrap, read once from the built web/frame output and served to opaque-origin
/// frames. Frame documents name it by a versioned URL (<see cref="Url"/>, the content hash in the
/// query), answered as immutable, so a cold frame does not wait for a revalidation round trip;
/// the bare path (and any other version) stays no-cache for plugin HTML, which names it so.
/// </summary>
internal sealed class FrameBootstrapFile(HostPaths paths)
{
    private const string VersionQuery = "v";

    private readonly Lazy<(byte[] Body, string ETag, string Version)?> file = new(() =>
    {
        var path = Path.Combine(paths.FrameRoot, "bootstrap.js");
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return (bytes, "\"" + hash + "\"", hash[..16]);
    });

    /// <summary>The bootstrap's URL on a card origin, naming this build of it.</summary>
    public string Url => file.Value is { } f ? $"{FrameDocument.BootstrapPath}?{VersionQuery}={f.Version}" : FrameDocument.BootstrapPath;

    public IResult Serve(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<CardSite>() is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginFileNotFound, "The frame bootstrap is served only on card origins.");
        }

        if (file.Value is not { } f)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PluginFileNotFound, "The frame bootstrap is not built. Run the web build.");
        }

        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.CacheControl = http.Request.Query[VersionQuery] is [{ } v] && string.Equals(v, f.Version, StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        headers.ETag = f.ETag;
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        if (HttpCaching.IfNoneMatchHits(http.Request, f.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new BytesResult(f.Body, "text/javascript; charset=utf-8");
    }
}
