using Microsoft.AspNetCore.SignalR;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// <c>/hubs/plugins</c>: signed-in browsers listen for <c>pluginKilled</c> (close every window of
/// it with a notice) and <c>pluginsChanged</c> (refetch /api/plugins); admins also hear
/// <c>pluginDevBuildFailed</c>; <c>pluginConfigChanged</c> tells pages to refetch a plugin's configuration. Clients only listen.
/// </summary>
internal sealed class PluginsHub : Hub
{
    /// <summary>Admins hear development build failures (only they run <c>labyrinth plugin dev</c>).</summary>
    public const string AdminsGroup = "admins";

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.IsInRole(Auth.Roles.Admin) == true)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, AdminsGroup);
        }

        await base.OnConnectedAsync();
    }
}

internal sealed record PluginKilledMessage(string PluginId, string? Version, string Reason);

internal sealed record PluginsChangedMessage;

internal sealed record DevBuildFailedMessage(string PluginId, string Message);

/// <summary>An admin saved a plugin's configuration: pages refetch it (<c>GET /api/apps/{id}/config</c>, which checks availability) and push it to the plugin's frames.</summary>
internal sealed record PluginConfigChangedMessage(string PluginId, long Revision);

/// <summary>
/// Pushes governance changes to every connected browser, on every instance (the SignalR backplane
/// when scaled out). Each push first waits for every live instance to have reloaded the plugins
/// (the ready barrier), so a browser that reacts (refetches, spawns) finds the change wherever the
/// load balancer sends it.
/// </summary>
internal sealed class PluginEvents(IHubContext<PluginsHub> hub, Cluster.IClusterSignals cluster)
{
    public const string HubPath = "/hubs/plugins";

    /// <summary>
    /// Before a change that offers something new commits: every live instance loads
    /// <paramref name="versions"/> without offering them (throws <c>cluster.not_prepared</c> when one
    /// cannot). Changes that only take something away skip this and are enforced as heard.
    /// </summary>
    public Task PrepareOfferAsync(IReadOnlyList<PreparedVersion> versions, CancellationToken ct) => cluster.PrepareAsync(versions, ct);

    /// <summary>A kill is a plugin change too: announced once, then both <c>pluginKilled</c> and <c>pluginsChanged</c> go out.</summary>
    public async Task KilledAsync(string pluginId, string? version, string reason)
    {
        await cluster.AnnounceChangeAsync();
        await hub.Clients.All.SendAsync("pluginKilled", new PluginKilledMessage(pluginId, version, reason));
        await hub.Clients.All.SendAsync("pluginsChanged", new PluginsChangedMessage());
    }

    public async Task ChangedAsync()
    {
        await cluster.AnnounceChangeAsync();
        await hub.Clients.All.SendAsync("pluginsChanged", new PluginsChangedMessage());
    }

    /// <summary>Carries no values: who may see them is decided when the page fetches them.</summary>
    public Task ConfigChangedAsync(string pluginId, long revision) =>
        hub.Clients.All.SendAsync("pluginConfigChanged", new PluginConfigChangedMessage(pluginId, revision));

    public Task DevBuildFailedAsync(string pluginId, string message) =>
        hub.Clients.Group(PluginsHub.AdminsGroup).SendAsync("pluginDevBuildFailed", new DevBuildFailedMessage(pluginId, message));
}
