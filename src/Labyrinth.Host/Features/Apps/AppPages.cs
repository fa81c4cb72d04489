using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Apps;

/// <summary>
/// Plugin pages (docs/api.md "Plugin pages"): which pages a person may open, and the frame of one
/// page for them. The guard is the host's: a page whose role the person lacks is listed without
/// its title or entry, and neither its frame nor its admin-only entry file is served to them.
/// </summary>
internal static class AppPages
{
    public static RouteGroupBuilder MapAppPages(this RouteGroupBuilder apps)
    {
        apps.MapGet("/pages", List);
        apps.MapGet("/pages/open", Open);
        return apps;
    }

    /// <summary>
    /// Every page of the plugins this person can use, in their version. Pages their role does not
    /// allow keep only the plugin and path (so the address says "not allowed", not "not found").
    /// </summary>
    private static Ok<AppPageDto[]> List(PluginCatalog catalog, PluginAccess access, HttpContext http)
    {
        var user = http.User.UserId();
        var isAdmin = http.User.IsInRole(Roles.Admin);
        return TypedResults.Ok(Visible(catalog, access, user)
            .SelectMany(x => x.Version.Manifest.Pages.Select(p => p.Allows(isAdmin)
                ? new AppPageDto(x.Plugin.Id, x.Version.Version, x.Version.Manifest.Name, p.Path, true, p.Title, p.Icon, p.Nav is { } n ? new PageNavDto(n.Section, n.Order) : null)
                : new AppPageDto(x.Plugin.Id, x.Version.Version, x.Version.Manifest.Name, p.Path, false, null, null, null)))
            .ToArray());
    }

    /// <summary>One page for this person: its frame on the plugin version's card origin, with a ticket that lets the frame load.</summary>
    private static async Task<Results<Ok<PageFrameDto>, ProblemHttpResult>> Open(
        string? pluginId, string? path, PluginCatalog catalog, PluginAccess access, CardOrigins origins, CardCapabilities capabilities, PageTickets tickets,
        ServiceGrants grants, HttpContext http, CancellationToken ct)
    {
        var user = http.User.UserId();
        var app = Visible(catalog, access, user)
            .Where(x => x.Plugin.Id == pluginId)
            .Select(x => (x.Plugin, x.Version, Page: x.Version.Manifest.FindPage(path ?? "")))
            .FirstOrDefault(x => x.Page is not null);
        if (app.Page is not { } page)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PageNotFound,
                "This app page does not exist, or its plugin was disabled, stopped or uninstalled.");
        }

        if (!page.Allows(http.User.IsInRole(Roles.Admin)))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.PageNotAllowed, "Only administrators may open this page.");
        }

        var origin = origins.OriginFor(http.Request, app.Plugin.Id, app.Version.Version);
        var ticket = tickets.Issue(user, app.Plugin.Id, app.Version.Version, page.Path);
        var granted = new List<string>();
        foreach (var capability in page.Capabilities)
        {
            if (await grants.IsGrantedAsync(app.Plugin.Id, capability, ct))
            {
                granted.Add(capability);
            }
        }

        return TypedResults.Ok(new PageFrameDto(
            app.Plugin.Id, app.Version.Version, app.Version.Manifest.Name, page.Path, page.Title,
            origin + capabilities.Prefix(user, app.Plugin, app.Version.Version) + FrameUrl(app.Plugin.Id, app.Version.Version, page.Path, ticket), origin, page.Capabilities, granted,
            new TopicsDto(page.Topics.Publish, page.Topics.Subscribe)));
    }

    public static string FrameUrl(string pluginId, string version, string path, string ticket) =>
        $"/cards/page/{pluginId}/{version}?p={Uri.EscapeDataString(path)}&t={Uri.EscapeDataString(ticket)}";

    private static IEnumerable<(InstalledPlugin Plugin, InstalledVersion Version)> Visible(PluginCatalog catalog, PluginAccess access, Guid user) =>
        catalog.All
            .Where(p => p.IsUsable && access.IsAvailable(user, p.Id))
            .Select(p => (Plugin: p, Version: p.Versions.GetValueOrDefault(access.AssignedVersion(user, p))))
            .Where(x => x.Version is { } v && !x.Plugin.IsKilled(v.Version) && v.Manifest.Pages.Count > 0)
            .OrderBy(x => x.Plugin.Id, StringComparer.Ordinal)
            .Select(x => (x.Plugin, x.Version!));

    /// <summary>
    /// A page frame's document on its card origin. The frame carries no cookie (an opaque origin on
    /// another site), so the person is known by the ticket the host page got for them; without a
    /// valid one nothing of the plugin is served.
    /// </summary>
    public static IResult ServeFrame(
        HttpContext http, string token, string id, string version, string? p, string? t, PluginCatalog catalog, CardOrigins origins, CardCapabilities capabilities, PageTickets tickets, FrameBootstrapFile bootstrap)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<CardSite>() is not { } site || !CardOrigins.Serves(site, id, version))
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PageNotFound, "This page is not served on this origin.");
        }

        var plugin = catalog.Find(id);
        var installed = plugin?.Versions.GetValueOrDefault(version);
        var page = installed?.Manifest.FindPage(p ?? "");
        // The capability prefix says whose frame this is and that the plugin version is theirs
        // (available to them, assigned, enabled); the ticket then says they may open this page.
        if (plugin is null || !plugin.Enabled || installed is null || page is null || capabilities.Verify(token, plugin, version) is not { } person)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.PageNotFound, "This page is not installed or not enabled.");
        }

        if (plugin.IsKilled(version))
        {
            http.Response.Headers.CacheControl = "no-store";
            return Problems.Create(StatusCodes.Status410Gone, ErrorCodes.PluginKilled, "This plugin was stopped by an administrator.");
        }

        if (t is null || !tickets.Check(t, id, version, page.Path, person))
        {
            http.Response.Headers.CacheControl = "no-store";
            return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.PageNotAllowed, "Open this page from Labyrinth: its frame needs a fresh ticket from the host.");
        }

        // An admin-only page's entry file is withheld like its frame: the ticket travels with it.
        var entryUrl = PluginsApi.FilesBase(token, id, version) + page.Entry + (page.Role == PageRole.Admin ? "?t=" + Uri.EscapeDataString(t) : "");
        if (page.IsHtmlEntry)
        {
            return TypedResults.Redirect(entryUrl);
        }

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = FrameDocument.CardCsp(PluginsApi.Origin(http), origins.FrameAncestors(http.Request), PluginsApi.FilesBase(token, id, version));
        headers.CacheControl = "no-store";
        headers["X-DNS-Prefetch-Control"] = "off";
        var html = FrameDocument.Render(entryUrl, page.Title, bootstrap.Url);
        return new BytesResult(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8");
    }

    /// <summary>
    /// Whether a plugin file may be served to this request: an admin-only page's entry only with
    /// a valid ticket for that page, issued to <paramref name="person"/> (whose capability prefix
    /// the request carries); every other file is public, as before.
    /// </summary>
    public static bool MayServeFile(HttpRequest request, InstalledVersion installed, string path, PageTickets tickets, Guid person)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(installed);
        ArgumentNullException.ThrowIfNull(tickets);
        foreach (var page in installed.Manifest.Pages)
        {
            if (page.Role == PageRole.Admin && page.Entry == path)
            {
                return request.Query["t"] is [{ } t] && tickets.Check(t, installed.PluginId, installed.Version, page.Path, person);
            }
        }

        return true;
    }
}

/// <summary>
/// Short-lived, signed permission for one person to load one page of one plugin version
/// (ASP.NET Core Data Protection, time-limited). It rides in the frame URL because card origins
/// get no cookie; the plugin's own code can read it, but it opens nothing beyond that page.
/// </summary>
internal sealed class PageTickets(IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>Long enough for the frame to load its document and entry; a reload asks the host again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Labyrinth.Apps.PageTicket.v1").ToTimeLimitedDataProtector();

    public string Issue(Guid userId, string pluginId, string version, string path) =>
        protector.Protect(string.Join('\n', pluginId, version, path, userId.ToString("N")), clock.GetUtcNow() + Lifetime);

    /// <summary>
    /// The ticket is this host's, unexpired, for this page of this version, and issued to
    /// <paramref name="userId"/>: the person whose capability prefix the request carries. The
    /// plugin's code can read its ticket, so a ticket copied into another person's frame URL (an
    /// admin's, handed to a member through the plugin's shared storage) must open nothing.
    /// </summary>
    public bool Check(string ticket, string pluginId, string version, string path, Guid userId)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (ticket.Length > 1024)
        {
            return false;
        }

        try
        {
            var parts = protector.Unprotect(ticket, out var expires).Split('\n');
            return expires > clock.GetUtcNow() && parts.Length == 4 && parts[0] == pluginId && parts[1] == version && parts[2] == path
                   && parts[3] == userId.ToString("N");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>
/// Pages as bus members: the frame of a page the person may open (their role, their version of an
/// enabled plugin). Capabilities are the page's <c>requires.capabilities</c>, granted by an admin
/// (the plugin's grants, shared with its services).
/// </summary>
internal sealed class PageBusMembers(PluginCatalog catalog, PluginAccess access, LabyrinthDb db, ServiceGrants grants, ServiceGrantSignals signals)
    : AdminGrantedBusMembers(grants, signals), IBusMemberSource
{
    public const string MemberKind = "page";

    public string Kind => MemberKind;

    public async Task<BusMemberIdentity?> ResolveAsync(Guid userId, BusMemberRef member, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.PluginId is not { Length: > 0 and <= 200 } pluginId || member.Path is not { Length: <= ManifestValidator.MaxPagePathLength } path
            || catalog.Find(pluginId) is not { } plugin || !plugin.IsUsable || !access.IsAvailable(userId, pluginId)
            || member.Version != access.AssignedVersion(userId, plugin) || plugin.IsKilled(member.Version)
            || plugin.Versions.GetValueOrDefault(member.Version)?.Manifest.FindPage(path) is not { } page)
        {
            return null;
        }

        if (page.Role == PageRole.Admin)
        {
            var role = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Role).SingleOrDefaultAsync(ct);
            if (role != Roles.Admin)
            {
                return null;
            }
        }

        return new BusMemberIdentity(Kind, $"page:{pluginId}/{path}", pluginId, member.Version, "page:" + path, Core.Messaging.CardTopics.None, page)
        {
            Capabilities = page.Capabilities,
        };
    }
}
