using Microsoft.AspNetCore.SignalR;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// <c>/hubs/plugins</c>: signed-in browsers listen for <c>pluginKilled</c> (close every window of
/// it with a notice) and <c>pluginsChanged</c> (refetch /api/plugins). Clients only listen.
/// </summary>
internal sealed class PluginsHub : Hub;

internal sealed record PluginKilledMessage(string PluginId, string? Version, string Reason);

internal sealed record PluginsChangedMessage;

/// <summary>Pushes governance changes to every connected browser (one server; a backplane is out of scope).</summary>
internal sealed class PluginEvents(IHubContext<PluginsHub> hub)
{
    public const string HubPath = "/hubs/plugins";

    public Task KilledAsync(string pluginId, string? version, string reason) =>
        hub.Clients.All.SendAsync("pluginKilled", new PluginKilledMessage(pluginId, version, reason));

    public Task ChangedAsync() => hub.Clients.All.SendAsync("pluginsChanged", new PluginsChangedMessage());
}
