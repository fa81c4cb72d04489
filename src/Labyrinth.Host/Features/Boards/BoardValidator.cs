using System.Globalization;
using System.Text.Json;
using Labyrinth.Core.Boards;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;

namespace Labyrinth.Host.Features.Boards;

internal sealed record SpawnFailure(string Code, string Detail, Dictionary<string, string[]>? Errors = null, int Status = StatusCodes.Status400BadRequest);

/// <summary>
/// Every rule a board write must pass before it is stored: kinds from the closed registry,
/// plugin windows only for installed + enabled cards with props that match the card's schema.
/// </summary>
internal sealed class BoardValidator(PluginCatalog catalog, PluginAccess access)
{
    public const int MaxBoardNameLength = 200;

    public static string? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "A board needs a name." :
        name.Length > MaxBoardNameLength ? $"A board name has at most {MaxBoardNameLength} characters." : null;

    /// <summary>Resolves and checks a spawn config; returns the window to add or why not.</summary>
    public (WindowDto? Window, SpawnFailure? Failure) Spawn(Guid userId, SpawnRequest request, BoardDocument doc)
    {
        if (!WindowRules.IsKnownKind(request.Kind))
        {
            return (null, new(ErrorCodes.SpawnUnknownKind, WindowRules.UnknownKindMessage(request.Kind)));
        }

        if (doc.Windows.Count >= WindowRules.MaxWindowsPerBoard)
        {
            return (null, new(ErrorCodes.BoardInvalidLayout, $"A board holds at most {WindowRules.MaxWindowsPerBoard} windows. Close some first."));
        }

        string title;
        double width, height, minWidth = WindowRules.MinWidth, minHeight = WindowRules.MinHeight;
        JsonElement? data;
        PluginRefDto? plugin = null;
        switch (request.Kind)
        {
            case WindowRules.Plugin:
                var (resolved, card, failure) = ResolvePlugin(userId, request.Plugin);
                if (failure is not null)
                {
                    return (null, failure);
                }

                plugin = resolved!;
                title = request.Title ?? card!.Name;
                width = request.Width ?? card!.DefaultSize.Width;
                height = request.Height ?? card!.DefaultSize.Height;
                minWidth = Math.Min(card!.MinSize?.Width ?? WindowRules.MinWidth, WindowRules.MinWidth);
                minHeight = Math.Min(card.MinSize?.Height ?? WindowRules.MinHeight, WindowRules.MinHeight);
                data = null;
                break;
            case WindowRules.Form:
                title = request.Title ?? "Form";
                width = request.Width ?? 360;
                height = request.Height ?? 320;
                data = request.Data ?? JsonSerializer.SerializeToElement(new { fields = new { }, saved = true });
                break;
            case WindowRules.Chat:
                title = request.Title ?? "Chat";
                width = request.Width ?? 360;
                height = request.Height ?? 400;
                data = request.Data ?? JsonSerializer.SerializeToElement(new { messages = Array.Empty<object>() });
                break;
            default:
                title = request.Title ?? "Board facts";
                width = request.Width ?? 340;
                height = request.Height ?? 300;
                data = null;
                break;
        }

        var x = request.X ?? 0;
        var y = request.Y ?? 0;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckCommon(errors, "", title, x, y, width, height, minWidth, minHeight, data);
        if (errors.Count > 0)
        {
            return (null, new(ErrorCodes.ValidationFailed, "The window settings are not valid.", errors));
        }

        var z = doc.Windows.Count == 0 ? 1 : doc.Windows.Max(w => w.Z) + 1;
        // A new card opens live unless the board is at the open-card cap; then it arrives closed.
        var open = plugin is not null && doc.Windows.Count(w => w.IsOpenCard) < WindowRules.MaxOpenCards;
        var window = new WindowDto(Infrastructure.Ids.NewWindowId(), request.Kind!, title, x, y, width, height, z, false, false, data, plugin, open);
        return (window, null);
    }

    /// <summary>Checks a full layout against the stored document; returns the errors keyed by field path.</summary>
    public Dictionary<string, string[]> Layout(LayoutRequest request, BoardDocument current)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Viewport is null)
        {
            errors["viewport"] = ["The viewport is required."];
        }
        else if (WindowRules.CheckViewport(request.Viewport.X, request.Viewport.Y, request.Viewport.Zoom) is { } viewportError)
        {
            errors["viewport"] = [viewportError];
        }

        if (request.Windows is null)
        {
            errors["windows"] = ["The window list is required."];
            return errors;
        }

        if (request.Windows.Length > WindowRules.MaxWindowsPerBoard)
        {
            errors["windows"] = [$"A board holds at most {WindowRules.MaxWindowsPerBoard} windows."];
            return errors;
        }

        var existing = current.Windows.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Windows.Length; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"windows[{i}]");
            var w = request.Windows[i];
            if (w is null || w.Id is null)
            {
                errors[prefix] = ["Each window needs an id."];
                continue;
            }

            if (!seen.Add(w.Id))
            {
                errors[prefix + ".id"] = [$"The window {w.Id} appears twice."];
                continue;
            }

            if (!existing.TryGetValue(w.Id, out var stored))
            {
                errors[prefix + ".id"] = [$"The window {w.Id} does not exist on this board; new windows are added by spawning them."];
                continue;
            }

            if (w.Kind != stored.Kind)
            {
                errors[prefix + ".kind"] = ["A window's kind cannot change."];
                continue;
            }

            double minWidth = WindowRules.MinWidth, minHeight = WindowRules.MinHeight;
            if (stored.Kind == WindowRules.Plugin)
            {
                if (w.Plugin is null || stored.Plugin is null || w.Plugin.PluginId != stored.Plugin.PluginId ||
                    w.Plugin.Version != stored.Plugin.Version || w.Plugin.TypeID != stored.Plugin.TypeID)
                {
                    errors[prefix + ".plugin"] = ["A plugin window's plugin, version and card type cannot change."];
                    continue;
                }

                var card = catalog.FindVersion(stored.Plugin.PluginId, stored.Plugin.Version)?.FindCard(stored.Plugin.TypeID);
                if (card?.MinSize is { } min)
                {
                    minWidth = Math.Min(min.Width, minWidth);
                    minHeight = Math.Min(min.Height, minHeight);
                }

                if (w.Plugin.Props.GetRawText() != stored.Plugin.Props.GetRawText())
                {
                    var propErrors = CheckProps(card, w.Plugin.Props);
                    if (propErrors.Count > 0)
                    {
                        errors[prefix + ".plugin.props"] = propErrors.Select(e => e.Message).ToArray();
                    }
                }
            }
            else if (w.Plugin is not null)
            {
                errors[prefix + ".plugin"] = ["Only plugin windows carry a plugin."];
            }

            CheckCommon(errors, prefix + ".", w.Title, w.X, w.Y, w.Width, w.Height, minWidth, minHeight, w.Data);
        }

        return errors;
    }

    private (PluginRefDto? Ref, CardDefinition? Card, SpawnFailure? Failure) ResolvePlugin(Guid userId, SpawnPluginRequest? request)
    {
        if (request?.PluginId is null || request.TypeID is null)
        {
            return (null, null, new(ErrorCodes.SpawnCardNotFound, "A plugin window needs a plugin id and a card type."));
        }

        var plugin = catalog.Find(request.PluginId);
        if (plugin is null)
        {
            return (null, null, new(ErrorCodes.SpawnPluginNotFound, $"The plugin \"{request.PluginId}\" is not installed."));
        }

        if (!plugin.Enabled)
        {
            return (null, null, new(ErrorCodes.SpawnPluginDisabled, $"The plugin \"{request.PluginId}\" is disabled by an admin."));
        }

        if (!access.IsAvailable(userId, plugin.Id))
        {
            return (null, null, new(ErrorCodes.PluginNotAvailable, $"The plugin \"{request.PluginId}\" is not available to you.", Status: StatusCodes.Status403Forbidden));
        }

        // The person's own version: during a staged rollout the new one only for its audience.
        var version = request.Version ?? access.AssignedVersion(userId, plugin);
        var installed = plugin.Versions.GetValueOrDefault(version);
        if (installed is null)
        {
            return (null, null, new(ErrorCodes.SpawnPluginNotFound, $"Version {version} of \"{request.PluginId}\" is not installed."));
        }

        if (!access.AllowsVersion(userId, plugin, version))
        {
            return (null, null, new(ErrorCodes.PluginNotAvailable,
                $"Version {version} of \"{request.PluginId}\" is not available to you yet; you are on {access.AssignedVersion(userId, plugin)}.", Status: StatusCodes.Status403Forbidden));
        }

        if (plugin.IsKilled(version))
        {
            return (null, null, new(ErrorCodes.SpawnPluginKilled, $"{request.PluginId}@{version} was stopped by an administrator."));
        }

        var card = installed.FindCard(request.TypeID);
        if (card is null)
        {
            return (null, null, new(ErrorCodes.SpawnCardNotFound, $"\"{request.PluginId}\" has no card type \"{request.TypeID}\"."));
        }

        var props = request.Props ?? JsonSerializer.SerializeToElement(new { });
        var propErrors = CheckProps(card, props);
        if (propErrors.Count > 0)
        {
            var errors = propErrors
                .GroupBy(e => e.Path, StringComparer.Ordinal)
                .ToDictionary(g => "props" + (g.Key == "#" ? "" : "." + g.Key.TrimStart('#', '/').Replace('/', '.')), g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
            return (null, null, new(ErrorCodes.SpawnInvalidProps, $"The props for \"{card.Name}\" are not valid: {string.Join(" ", propErrors.Select(e => e.Message))}", errors));
        }

        return (new PluginRefDto(request.PluginId, version, request.TypeID, props.Clone()), card, null);
    }

    private static IReadOnlyList<(string Path, string Message)> CheckProps(CardDefinition? card, JsonElement props)
    {
        if (props.ValueKind != JsonValueKind.Object)
        {
            return [("#", "Props must be a JSON object.")];
        }

        if (props.GetRawText().Length > WindowRules.MaxDataBytes)
        {
            return [("#", "Props are too large.")];
        }

        return card?.PropsSchema is { } schema ? PropsValidator.Validate(schema, props) : [];
    }

    private static void CheckCommon(Dictionary<string, string[]> errors, string prefix, string? title, double x, double y, double width, double height, double minWidth, double minHeight, JsonElement? data)
    {
        if (title is null || title.Length > WindowRules.MaxTitleLength)
        {
            errors[prefix + "title"] = [$"A window title is required and has at most {WindowRules.MaxTitleLength} characters."];
        }

        if (WindowRules.CheckGeometry(x, y, width, height, minWidth, minHeight) is { } geometryError)
        {
            errors[prefix + "geometry"] = [geometryError];
        }

        if (data is { } d && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Object)
            {
                errors[prefix + "data"] = ["Window data must be an object."];
            }
            else if (d.GetRawText().Length > WindowRules.MaxDataBytes)
            {
                errors[prefix + "data"] = [$"Window data is larger than {WindowRules.MaxDataBytes / 1024} KiB."];
            }
        }
    }
}
