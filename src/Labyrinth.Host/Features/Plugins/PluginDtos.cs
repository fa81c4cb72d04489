using System.Text.Json;

namespace Labyrinth.Host.Features.Plugins;

internal sealed record SizeDto(double Width, double Height);

internal sealed record CardTypeDto(
    string TypeID,
    string Name,
    string Icon,
    SizeDto DefaultSize,
    SizeDto? MinSize,
    JsonElement? PropsSchema,
    string FrameUrl,
    string EntryUrl,
    long BundleBytes,
    IReadOnlyList<string> Capabilities,
    TopicsDto Topics);

/// <summary>The card's declared pub/sub topics, so the host page can route only what the manifest allows.</summary>
internal sealed record TopicsDto(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe);

internal sealed record SignatureDto(string Status, string? KeyName);

/// <param name="Origins">The card origin of every installed version (frame URLs of windows pinned to an older version live there).</param>
internal sealed record PluginDto(
    string Id, string Version, string Name, string Description, string Author, bool Enabled, long BundleBytes, SignatureDto Signature, CardTypeDto[] Cards,
    IReadOnlyDictionary<string, string> Origins)
{
    /// <summary>
    /// For a viewer who may open the developer overlay: the token their frame URLs of this plugin
    /// carry (<c>?r=</c>), so the frames' CSP violation reports come back to them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ReportToken { get; init; }

    /// <summary>Present when the package was packed past the accessibility gate: <c>{ findings }</c> (-1: unknown).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AccessibilityMark? Accessibility { get; init; }
}

/// <summary>
/// What the page needs about card origins: the template, whether plugins are isolated from each
/// other, the host's own origin, the host page's frame-src, and problems an admin should see.
/// </summary>
internal sealed record CardOriginsDto(string Template, bool Isolated, string HostOrigin, string FrameSource, CardOriginWarningDto[] Warnings);

internal sealed record CardOriginWarningDto(string Code, string Message);

/// <summary>Absolute card URLs for pages served on one host request.</summary>
/// <param name="ReportToken">The viewer's CSP report token for this plugin (<see cref="CspReportTokens"/>), or null.</param>
internal readonly record struct CardUrls(CardOrigins Origins, HttpRequest Request, string? ReportToken = null)
{
    public string Origin(string id, string version) => Origins.OriginFor(Request, id, version);
}

internal sealed record CardLoadReport(string? PluginId, string? Version, string? TypeID, bool Ok, double? LoadMs, string? Error);

internal static class PluginMapping
{
    public static PluginDto ToDto(InstalledPlugin plugin, InstalledVersion version, CardUrls urls) => new(
        plugin.Id,
        version.Version,
        version.Manifest.Name,
        version.Manifest.Description,
        version.Manifest.Author,
        plugin.Enabled,
        version.TotalBytes,
        new SignatureDto(version.SignatureStatus, version.SignedBy),
        version.Manifest.Cards.Select(c => new CardTypeDto(
            c.TypeId,
            c.Name,
            c.Icon,
            new SizeDto(c.DefaultSize.Width, c.DefaultSize.Height),
            c.MinSize is null ? null : new SizeDto(c.MinSize.Width, c.MinSize.Height),
            c.PropsSchema,
            urls.Origin(plugin.Id, version.Version) + FrameUrl(plugin.Id, version.Version, c) + (urls.ReportToken is { } t ? $"?{PluginsApi.ReportTokenQuery}={t}" : ""),
            urls.Origin(plugin.Id, version.Version) + FileUrl(plugin.Id, version.Version, c.Entry),
            version.EntryBytes(c),
            c.Capabilities,
            new TopicsDto(c.Topics.Publish, c.Topics.Subscribe))).ToArray(),
        plugin.Versions.Keys.Order(StringComparer.Ordinal).ToDictionary(v => v, v => urls.Origin(plugin.Id, v), StringComparer.Ordinal))
    {
        Accessibility = version.Accessibility,
        ReportToken = urls.ReportToken,
    };

    /// <summary>A plugin file's path on its card origin.</summary>
    public static string FileUrl(string id, string version, string path) => $"/plugins/{id}/{version}/{path}";

    public static string FrameUrl(string id, string version, Labyrinth.Core.Manifests.CardDefinition card) =>
        card.IsHtmlEntry ? FileUrl(id, version, card.Entry) : $"/cards/frame/{id}/{version}/{card.TypeId}";
}
