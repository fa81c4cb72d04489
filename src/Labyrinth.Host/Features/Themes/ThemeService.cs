using Labyrinth.Core.Errors;
using Labyrinth.Core.Themes;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Plugins;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Themes;

/// <summary>
/// Which themes exist (built-ins + themes of usable plugins, read from the plugin catalog, so a
/// disabled, killed or uninstalled plugin's themes disappear with it) and who chose which.
/// A stored choice that is no longer available reads as null: the UI falls back to the admin
/// default, then to the system preference.
/// </summary>
internal sealed partial class ThemeService(LabyrinthDb db, PluginCatalog catalog, AuditLog audit, TimeProvider clock, ILogger<ThemeService> logger)
{
    public const string DefaultSettingKey = "theme.default";
    public const string AuditDefaultAction = ThemeAuditActions.Default;

    public List<AvailableTheme> Available()
    {
        var themes = BuiltInThemes.All.Select(t => new AvailableTheme(t.ThemeId, t.Name, t, null, null)).ToList();
        foreach (var plugin in catalog.All.Where(p => p.IsUsable).OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var version = plugin.Active!;
            themes.AddRange(version.Themes.Select(t => new AvailableTheme(
                plugin.Id + "/" + t.Entry.ThemeId, t.Entry.Name ?? t.Theme.Name, t.Theme, version, t.Entry.Preview)));
        }

        return themes;
    }

    public async Task<ThemesDto> ListAsync(Guid userId, Func<string, string, string> cardOrigin, CancellationToken ct)
    {
        var themes = Available();
        var ids = themes.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var setting = await db.HostSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == DefaultSettingKey, ct);
        var preference = await db.UserPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, ct);
        return new ThemesDto(
            themes.Select(t => t.ToDto(cardOrigin)).ToArray(),
            setting is not null && ids.Contains(setting.Value) ? setting.Value : null,
            preference?.ThemeId is { } chosen && ids.Contains(chosen) ? chosen : null);
    }

    public bool Exists(string themeId) => Available().Any(t => t.Id == themeId);

    /// <summary>Stores the user's choice (null: follow the default). False when the theme is not available.</summary>
    public async Task<bool> ChooseAsync(Guid userId, string? themeId, CancellationToken ct)
    {
        if (themeId is not null && !Exists(themeId))
        {
            return false;
        }

        var preference = await db.UserPreferences.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (preference is null)
        {
            preference = new UserPreferenceEntity { UserId = userId };
            db.UserPreferences.Add(preference);
        }

        preference.ThemeId = themeId;
        preference.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Sets (or clears, with null) the host-wide default; audited. False when the theme is not available.</summary>
    public async Task<bool> SetDefaultAsync(string actor, string? themeId, CancellationToken ct)
    {
        if (themeId is not null && !Exists(themeId))
        {
            return false;
        }

        var setting = await db.HostSettings.SingleOrDefaultAsync(s => s.Key == DefaultSettingKey, ct);
        var previous = setting?.Value;
        if (themeId is null)
        {
            if (setting is not null)
            {
                db.HostSettings.Remove(setting);
            }
        }
        else if (setting is null)
        {
            db.HostSettings.Add(new HostSettingEntity { Key = DefaultSettingKey, Value = themeId, UpdatedAt = clock.GetUtcNow().UtcDateTime });
        }
        else
        {
            setting.Value = themeId;
            setting.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }

        // AppendAsync saves the setting and its audit row in one SaveChanges.
        await audit.AppendAsync(actor, AuditDefaultAction, PluginOf(themeId), new { themeId, previousThemeId = previous }, ct);
        LogDefaultChanged(logger, actor, themeId ?? "(system preference)");
        return true;
    }

    private static string? PluginOf(string? themeId) =>
        themeId is not null && themeId.IndexOf('/', StringComparison.Ordinal) is var slash and > 0 ? themeId[..slash] : null;

    public static ThemeProblemDto[] ToDto(IEnumerable<PointerProblem> problems) => problems.Select(p => new ThemeProblemDto(p.Pointer, p.Message)).ToArray();

    [LoggerMessage(Level = LogLevel.Information, Message = "Default theme set to {ThemeId} by {Actor}")]
    private static partial void LogDefaultChanged(ILogger logger, string actor, string themeId);
}
