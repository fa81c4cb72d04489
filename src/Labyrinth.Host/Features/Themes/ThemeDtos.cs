using Labyrinth.Core.Themes;
using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Features.Themes;

internal sealed record FractalGridGroupDto(string Level, string Axes, string Color, double WidthPx);

internal sealed record FractalGridDto(bool Enabled, FractalGridGroupDto[] Groups);

/// <summary>docs/api.md "Themes": a complete theme as the UI applies it.</summary>
internal sealed record ThemeDto(
    string Id,
    string Name,
    string Source,
    string? PluginId,
    string? Version,
    IReadOnlyDictionary<string, object> Tokens,
    FractalGridDto FractalGrid,
    IReadOnlyDictionary<string, string> CssVars,
    string? PreviewUrl);

internal sealed record ThemesDto(ThemeDto[] Themes, string? DefaultThemeId, string? UserThemeId);

internal sealed record ChooseThemeRequest(string? ThemeId);

internal sealed record ThemeValidDto(bool Valid);

/// <summary>A problem in a theme document, as <c>problems[]</c> reports it.</summary>
internal sealed record ThemeProblemDto(string Pointer, string Message);

/// <summary>One theme the host offers right now: a built-in, or one from a usable plugin.</summary>
internal sealed record AvailableTheme(string Id, string Name, ResolvedTheme Theme, InstalledVersion? Plugin, string? Preview)
{
    public const string BuiltIn = "builtin";
    public const string FromPlugin = "plugin";

    /// <param name="cardOrigin">Where a plugin version's files are for this person: its card origin and their capability prefix (<c>/cap/{token}</c>).</param>
    public ThemeDto ToDto(Func<string, string, string> cardOrigin) => new(
        Id,
        Name,
        Plugin is null ? BuiltIn : FromPlugin,
        Plugin?.PluginId,
        Plugin?.Version,
        Theme.Tokens.ToDictionary(t => t.Key, t => t.Value.ToWire(), StringComparer.Ordinal),
        new FractalGridDto(Theme.FractalGrid.Enabled, Theme.FractalGrid.Groups.Select(g => new FractalGridGroupDto(g.Level, g.Axes, g.Color.ToCss(), g.WidthPx)).ToArray()),
        Theme.CssVars,
        Plugin is null || Preview is null ? null : cardOrigin(Plugin.PluginId, Plugin.Version) + PluginUrl(Plugin.PluginId, Plugin.Version, Preview));

    private static string PluginUrl(string id, string version, string path) =>
        $"/plugins/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(version)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
}

[Audit.AuditActionCatalogue]
internal static class ThemeAuditActions
{
    public const string Default = "theme.default";
}
