using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Tests;

/// <summary>Requests on a plugin version's card origin (default template: {label}.cards.localhost), where plugin files and frames live.</summary>
internal static class CardSites
{
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

    /// <summary>GETs <paramref name="path"/> with an explicit Host header (another card origin, a shared one, …).</summary>
    public static Task<HttpResponseMessage> GetOnOriginAsync(this HttpClient client, string host, string path, HttpMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Host = host;
        return client.SendAsync(request);
    }

    public static (string Id, string Version) PluginOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["plugins", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            ["cards", "frame", var id, var version, ..] => (Uri.UnescapeDataString(id), Uri.UnescapeDataString(version)),
            _ => throw new ArgumentException($"{path} is not a plugin file or frame path.", nameof(path)),
        };
    }
}
