using Labyrinth.Core.Errors;
using Labyrinth.Core.Plugins;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// Plugin files on card origins: <c>GET|HEAD /cap/{token}/plugins/{id}/{version}/{path}</c>. This is
/// the host's most requested path, so it is a terminal middleware right after the security
/// middleware rather than an endpoint: it skips static files, routing, status pages and auth (a
/// card origin has no cookie to authenticate), parses the raw request target in place, checks the
/// capability token through <see cref="CardCapabilities"/>'s verified-token cache, and writes
/// header values built once per file. Every refusal is the same 404.
/// </summary>
internal sealed class PluginFileServer(
    PluginCatalog catalog, CardOrigins origins, CardCapabilities capabilities, LabyrinthMetrics metrics, CspReportTokens reportTokens, Apps.PageTickets tickets)
{
    private const string ImmutableCache = "public, max-age=31536000, immutable";
    private const string PrivateNoStore = "private, no-store";
    private const string Prefix = "/" + CardCapabilities.Segment + "/";
    private const string Root = "/plugins/";

    private static readonly StringValues AnyOrigin = "*";
    private static readonly StringValues Immutable = ImmutableCache;
    private static readonly StringValues AcceptEncodingVary = "Accept-Encoding";
    private static readonly StringValues Off = "off";
    private static readonly StringValues CrossOrigin = "cross-origin";

    /// <summary>Is this (already classified as a card-origin) request one for a plugin file? Decided on the normalised path, as a route would.</summary>
    public static bool Handles(HttpContext http)
    {
        var path = http.Request.Path.Value.AsSpan();
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var slash = path[Prefix.Length..].IndexOf('/');
        return slash > 0 && path[(Prefix.Length + slash)..].StartsWith(Root, StringComparison.Ordinal) &&
               (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
    }

    public Task ServeAsync(HttpContext http)
    {
        // Match on the raw request target: Kestrel has already removed dot segments from
        // Request.Path, which would let /plugins/a/1.0.0/../../b/1.0.0/x.js reach plugin b.
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target ? target : http.Request.Path.Value ?? "";
        if (!TrySplit(raw, out var token, out var id, out var version, out var rest) ||
            catalog.Find(id) is not { } plugin ||
            !plugin.Versions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(version, out var installed) ||
            // One plugin version's files only on its own card origin: a card cannot pull another
            // plugin's code into its process, or load it as a document on its own origin.
            http.Features.Get<CardSite>() is not { } site || (site.Label is not null && !string.Equals(site.Label, installed.CardLabel, StringComparison.Ordinal)) ||
            // A token that does not verify (forged, another person's, another version's, revoked by
            // an access change, the plugin disabled or out of this person's reach) gets exactly the
            // answer a missing file gets, and is checked first, so which files exist stays unknown.
            capabilities.Verify(token, plugin, installed.Version) is not { } person ||
            FindFile(installed, rest) is not { } file)
        {
            return Refuse(http, StatusCodes.Status404NotFound, ErrorCodes.PluginFileNotFound, "No such plugin file.");
        }

        if (plugin.IsKilled(installed.Version))
        {
            return Refuse(http, StatusCodes.Status410Gone, ErrorCodes.PluginKilled, "This plugin was stopped by an administrator.");
        }

        var gated = installed.IsAdminPageEntry(file.Path);
        if (gated && !Apps.AppPages.MayServeFile(http.Request, installed, file.Path, tickets, person))
        {
            return Refuse(http, StatusCodes.Status403Forbidden, ErrorCodes.PageNotAllowed, "This page's code is served only to people allowed to open the page.");
        }

        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = AnyOrigin;
        // A guarded entry is per person: no shared cache may keep it.
        headers.CacheControl = gated ? PrivateNoStore : Immutable;
        headers.ETag = file.ETag;
        headers.Vary = AcceptEncodingVary;
        headers["X-DNS-Prefetch-Control"] = Off;
        headers["Cross-Origin-Resource-Policy"] = CrossOrigin;
        if (file.IsDocument)
        {
            var tokenText = token.ToString();
            headers.ContentSecurityPolicy = FrameDocument.CardCsp(PluginsApi.Origin(http), origins.FrameAncestors(http.Request),
                PluginsApi.FilesBase(tokenText, plugin.Id, installed.Version),
                CspReportsApi.ReportUri(reportTokens, PluginsApi.Origin(http), plugin.Id, installed.Version, http.Request.Query[PluginsApi.ReportTokenQuery]));
        }

        if (IfNoneMatchHits(http.Request, file.ETag))
        {
            metrics.FileRequest(StatusCodes.Status304NotModified);
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var variant = ChooseVariant(http.Request.Headers.AcceptEncoding, file);
        if (variant.Encoding is not null)
        {
            headers.ContentEncoding = variant.Encoding;
        }

        metrics.FileRequest(StatusCodes.Status200OK);
        headers.ContentType = file.ContentTypeHeader;
        headers.ContentLength = variant.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : WriteAsync(http.Response, variant.Body);
    }

    /// <summary>The body and its flush; a task only when the flush has to wait (the client reads slowly).</summary>
    private static Task WriteAsync(HttpResponse response, byte[] body)
    {
        var flush = response.BodyWriter.WriteAsync(body);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    private Task Refuse(HttpContext http, int status, string code, string detail)
    {
        metrics.FileRequest(status);
        if (status != StatusCodes.Status404NotFound)
        {
            http.Response.Headers.CacheControl = "no-store";
        }

        return Problems.Create(status, code, detail).ExecuteAsync(http);
    }

    /// <summary>
    /// <c>/cap/{token}/plugins/{id}/{version}/{rest}</c> of the raw target (query removed), as
    /// spans; false for anything else, including an empty file path.
    /// </summary>
    internal static bool TrySplit(string raw, out ReadOnlySpan<char> token, out ReadOnlySpan<char> id, out ReadOnlySpan<char> version, out ReadOnlySpan<char> rest)
    {
        token = id = version = rest = default;
        var target = raw.AsSpan();
        var query = target.IndexOf('?');
        if (query >= 0)
        {
            target = target[..query];
        }

        if (!target.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        target = target[Prefix.Length..];
        var end = target.IndexOf('/');
        if (end <= 0 || !target[end..].StartsWith(Root, StringComparison.Ordinal))
        {
            return false;
        }

        token = target[..end];
        target = target[(end + Root.Length)..];
        end = target.IndexOf('/');
        if (end <= 0)
        {
            return false;
        }

        id = target[..end];
        target = target[(end + 1)..];
        end = target.IndexOf('/');
        if (end <= 0 || end == target.Length - 1)
        {
            return false;
        }

        version = target[..end];
        rest = target[(end + 1)..];
        return true;
    }

    /// <summary>
    /// The file the rest of the raw target names. A target without escapes that names an installed
    /// file is that file (its path passed the same rules at install); anything with escapes is
    /// decoded and checked as before (no encoded '/', '\' or NUL, no dot segments).
    /// </summary>
    private static PluginFile? FindFile(InstalledVersion installed, ReadOnlySpan<char> rest)
    {
        if (!rest.Contains('%'))
        {
            return installed.Files.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(rest, out var file) && file.PathIsServable ? file : null;
        }

        return PluginPath.TryDecodeRequestPath(rest.ToString(), out var path) && installed.Files.TryGetValue(path, out var decoded) ? decoded : null;
    }

    /// <summary>The common revalidation (the browser sends back the one tag it was given) without parsing; anything else is parsed.</summary>
    private static bool IfNoneMatchHits(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0)
        {
            return false;
        }

        return (header.Count == 1 && string.Equals(header[0], etag, StringComparison.Ordinal)) || HttpCaching.IfNoneMatchHits(request, etag);
    }

    private static PluginFileVariant ChooseVariant(StringValues accepted, PluginFile file)
    {
        if (file.BrotliVariant is { } br && AcceptEncoding.Accepts(accepted, "br"))
        {
            return br;
        }

        if (file.GzipVariant is { } gz && AcceptEncoding.Accepts(accepted, "gzip"))
        {
            return gz;
        }

        return file.Identity;
    }
}
