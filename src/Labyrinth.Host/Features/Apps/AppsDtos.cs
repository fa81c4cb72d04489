using System.Text.Json;
using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Features.Apps;

/// <summary>A plugin's app surfaces as the page needs them: its services' frames and its API's schemas.</summary>
internal sealed record AppDto(string PluginId, string Version, string Name, AppServiceDto[] Services, AppApiDto? Api)
{
    /// <summary>The plugin ids its manifest depends on: its services start with a page of those (they extend it).</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];
}

/// <summary>A service: its frame's URL on the plugin version's card origin, and that origin (the page loads frames only from it).</summary>
internal sealed record AppServiceDto(string Id, string FrameUrl, string FrameOrigin, IReadOnlyList<string> Capabilities, TopicsDto Topics);

internal sealed record AppApiDto(string Version, string Service, IReadOnlyDictionary<string, AppMethodDto> Methods);

internal sealed record AppMethodDto(JsonElement Input, JsonElement Output);

/// <summary>The plugin's admin page: services, grants and the API documented from the manifest.</summary>
internal sealed record AppAdminDto(string PluginId, string Version, AppServiceDto[] Services, AppApiDto? Api, ServiceGrantDto[] Grants, ApiMethodDocDto[] Methods);

internal sealed record ApiMethodDocDto(string Name, string Description, JsonElement Input, JsonElement Output, ApiExampleDto[] Examples);

internal sealed record ApiExampleDto(string Title, JsonElement Input, JsonElement Output);

internal sealed record ServiceGrantDto(string Capability, bool Granted, string? GrantedBy, DateTimeOffset? GrantedAt);

internal sealed record PluginLogLineDto(long Seq, DateTimeOffset At, string Level, string Version, string Source, string User, string Message);

/// <param name="Instance">The server instance the tab is connected to; null on a single instance.</param>
internal sealed record RunningServiceDto(
    Guid UserId, string UserName, string Tab, string PluginId, string Version, string ServiceId, DateTimeOffset Since, int CallsLastMinute, int MessagesLastMinute, long Errors,
    string? Instance);

/// <param name="Instance">The instance whose tab runs it (a panel row's <c>instance</c>); null: wherever it runs.</param>
internal sealed record ServiceControlRequest(string? PluginId, string? ServiceId, string? Action, Guid? UserId, string? Tab, string? Instance = null);

internal sealed record ServiceControlResultDto(int Tabs);

/// <summary>
/// A plugin page as the navigation needs it. <c>Allowed</c> false: the person's role does not
/// allow it, and only the plugin and path are told (so its address says "not allowed").
/// </summary>
internal sealed record AppPageDto(string PluginId, string Version, string PluginName, string Path, bool Allowed, string? Title, string? Icon, PageNavDto? Nav);

internal sealed record PageNavDto(string Section, int Order);

/// <summary>One page opened for this person: its frame (with a short-lived ticket) on the plugin version's card origin.</summary>
internal sealed record PageFrameDto(
    string PluginId, string Version, string PluginName, string Path, string Title, string FrameUrl, string FrameOrigin,
    IReadOnlyList<string> Capabilities, IReadOnlyList<string> Granted, TopicsDto Topics);
