using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Labyrinth.Host.Features.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests;

/// <summary>
/// Requests on a plugin version's card origin (default template: {label}.cards.localhost), where
/// plugin files and frames live. A plugin surface path without a capability prefix
/// (/plugins/…, /cards/frame/…) is sent under the client's own one (/cap/{token}/…), minted the
/// way the host mints it for the page: for the signed-in person, or for a person in no group when
/// the client is anonymous. <see cref="GetRawOnOriginAsync"/> sends a path exactly as given.
/// </summary>
internal static class CardSites
{
    /// <summary>Someone signed in nowhere: tokens minted for them behave like a member's in no group.</summary>
    public static readonly Guid Nobody = new("00000000-0000-4000-8000-00000000c0de");

    private static readonly ConditionalWeakTable<HttpClient, LabyrinthApp> Apps = new();

    public static void Register(HttpClient client, LabyrinthApp app) => Apps.AddOrUpdate(client, app);

    /// <summary>The path prefix (/cap/{token}) this client's person gets for a plugin version.</summary>
    public static async Task<string> PrefixAsync(HttpClient client, string pluginId, string version)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!Apps.TryGetValue(client, out var app))
        {
            throw new InvalidOperationException("This client was not made by a LabyrinthApp.");
        }

        var user = await UserOfAsync(client);
        var catalog = app.Services.GetRequiredService<PluginCatalog>();
        var plugin = catalog.Find(pluginId);
        return plugin is null
            ? $"/{CardCapabilities.Segment}/{new string('A', CardCapabilities.TokenLength)}"
            : app.Services.GetRequiredService<CardCapabilities>().Prefix(user, plugin, version);
    }

    /// <summary>A plugin surface path under this client's capability prefix; a path that has one already is left alone.</summary>
    public static async Task<string> WithCapabilityAsync(HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // "/x" parses as an absolute file: URI on Unix; only http(s) URLs count as absolute here.
        var absolute = !path.StartsWith('/') && Uri.TryCreate(path, UriKind.Absolute, out var parsed) ? parsed : null;
        var relative = absolute?.PathAndQuery ?? path;
        if (relative.StartsWith("/" + CardCapabilities.Segment + "/", StringComparison.Ordinal) || relative.StartsWith("/_frame/", StringComparison.Ordinal))
        {
            return path;
        }

        if (!IsPluginPath(relative))
        {
            return path;
        }

        var (id, version) = PluginOf(relative);
        var prefix = await PrefixAsync(client, id, version);
        return absolute is null ? prefix + path : absolute.GetLeftPart(UriPartial.Authority) + prefix + relative;
    }

    private static async Task<Guid> UserOfAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/auth/session");
        if (!response.IsSuccessStatusCode)
        {
            return Nobody;
        }

        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        return session.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object ? user.GetProperty("id").GetGuid() : Nobody;
    }

    /// <summary>The Host header of a plugin version's card origin, on the port of <paramref name="client"/>'s server.</summary>
    public static string HostFor(HttpClient client, string pluginId, string version)
    {
        ArgumentNullException.ThrowIfNull(client);
        var port = client.BaseAddress is { IsDefaultPort: false } b ? $":{b.Port}" : "";
        return $"{CardOrigins.Label(pluginId, version)}.cards.localhost{port}";
    }

    /// <summary>
    /// GETs a plugin surface path (/plugins/{id}/{version}/…, /cards/frame/{id}/{version}/…) on that
    /// plugin version's own card origin.
    /// </summary>
    public static Task<HttpResponseMessage> GetOnCardOriginAsync(this HttpClient client, string path, HttpMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (id, version) = PluginOf(path);
        return client.GetOnOriginAsync(HostFor(client, id, version), path, method);
    }

    /// <summary>GETs <paramref name="path"/> (under the client's capability prefix) with an explicit Host header (another card origin, a shared one, …).</summary>
    public static async Task<HttpResponseMessage> GetOnOriginAsync(this HttpClient client, string host, string path, HttpMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await client.GetRawOnOriginAsync(host, await WithCapabilityAsync(client, path), method);
    }

    /// <summary>GETs <paramref name="path"/> exactly as given (no capability prefix added) with an explicit Host header.</summary>
    public static Task<HttpResponseMessage> GetRawOnOriginAsync(this HttpClient client, string host, string path, HttpMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Host = host;
        return client.SendAsync(request);
    }

    private static bool IsPluginPath(string path)
    {
        try
        {
            _ = PluginOf(path);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static (string Id, string Version) PluginOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["cap", _, .. var rest] => PluginOf("/" + string.Join('/', rest)),
            ["cards", "service", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            ["plugins", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            ["cards", "frame", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            ["cards", "page", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            _ => throw new ArgumentException($"{path} is not a plugin file or frame path.", nameof(path)),
        };
    }
}
