using System.Buffers;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// CSP violation reports for the developer overlay: the card frame's browser posts them to an
/// anonymous endpoint on the card origin (no cookie there, so no CSRF to defend: it accepts only
/// the two report media types, small bodies, at a bounded rate), and the overlay reads its
/// viewer's own reports from the host origin.
/// </summary>
internal static class CspReportsApi
{
    public const string ReportRoute = "/cards/csp-report";

    public static IServiceCollection AddCspReports(this IServiceCollection services)
    {
        services.AddSingleton<CspReportTokens>();
        services.AddSingleton<CspReportStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapCspReports(this IEndpointRouteBuilder app)
    {
        // On card origins only (the security middleware answers /cards/* nowhere else); ShortCircuit
        // like the frames: no auth, no cookie, nothing but the checks below.
        app.MapPost(ReportRoute + "/{id}/{version}/{token}", Receive).ShortCircuit().ExcludeFromDescription();
        app.MapGet("/api/plugins/{id}/{version}/csp-reports", Read).RequireAuthorization().WithTags("Plugins");
        return app;
    }

    /// <summary>The report-uri for a frame of this plugin version fetched with <paramref name="token"/>; null when the token is not this host's for that plugin.</summary>
    public static string? ReportUri(CspReportTokens tokens, string cardOrigin, string pluginId, string version, string? token)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        // The token reaches the CSP header only when it is one the host issued for this plugin:
        // anything else in the query (say "x; script-src *") never gets near the policy.
        return tokens.Find(token) is { } owner && owner.PluginId == pluginId
            ? $"{cardOrigin}{ReportRoute}/{pluginId}/{version}/{token}"
            : null;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Receive(
        HttpContext http, string id, string version, string token, PluginCatalog catalog, CspReportTokens tokens, CspReportStore store)
    {
        // The version comes from the card origin that received the report (each version has its
        // own), the viewer and plugin from the token; nothing in the body says whose report it is.
        if (http.Features.Get<CardSite>() is not { } site || !CardOrigins.Serves(site, id, version) ||
            catalog.FindVersion(id, version) is not { } installed ||
            tokens.Find(token) is not { } owner || owner.PluginId != id ||
            !(owner.IsAdmin || installed.SignatureStatus == PluginStore.StatusDev))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.CspReportUnknown, "No CSP report address here.");
        }

        var mediaType = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (mediaType is not (CspReportParser.LegacyType or CspReportParser.ReportingApiType))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.CspReportUnsupportedType,
                $"Only {CspReportParser.LegacyType} and {CspReportParser.ReportingApiType} are accepted here.");
        }

        if (http.Request.ContentLength > CspReportParser.MaxBodyBytes)
        {
            return TooLarge();
        }

        var body = await ReadBoundedAsync(http.Request.Body, CspReportParser.MaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            return TooLarge();
        }

        var violations = CspReportParser.Parse(mediaType, body);
        if (violations is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.CspReportMalformed, "That is not a CSP violation report.");
        }

        if (violations.Count == 0)
        {
            return TypedResults.NoContent(); // a Reporting API batch of other report types: nothing to keep
        }

        if (!store.TryTake(id, version, violations.Count))
        {
            return Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.CspReportRateLimited,
                $"This plugin version sent more than {CspReportStore.Burst} CSP reports in a burst ({CspReportStore.PerSecond:0} a second after); these were dropped.");
        }

        store.Add(owner, version, violations);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.CspReportTooLarge, $"A CSP report may be at most {CspReportParser.MaxBodyBytes} bytes.");

    /// <summary>The body when it is at most <paramref name="max"/> bytes (whatever Content-Length said); null past that.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int max, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var total = 0;
            while (total <= max)
            {
                var n = await body.ReadAsync(buffer.AsMemory(total, max + 1 - total), ct);
                if (n == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += n;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The caller's own reports for a plugin version (the frames they opened): admins for any version, anyone for a development version.</summary>
    private static Results<Ok<CspViolationsDto>, ProblemHttpResult> Read(
        string id, string version, long? after, HttpContext http, PluginCatalog catalog, CspReportStore store)
    {
        if (catalog.FindVersion(id, version) is not { } installed)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.VersionNotFound, "That plugin version is not installed.");
        }

        if (!http.User.IsInRole(Roles.Admin) && installed.SignatureStatus != PluginStore.StatusDev)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.CspReportsForbidden,
                "CSP reports are shown to administrators, and to everyone for a development version.");
        }

        return TypedResults.Ok(store.Read(http.User.UserId(), id, version, after ?? 0));
    }
}
