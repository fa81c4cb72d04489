using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Features.Apps;

/// <summary>
/// Background services as bus members: a hidden frame of the person's tab running the active
/// version of an enabled plugin's service. Topics and capabilities come from that version's
/// manifest; grants are the admin's (<see cref="ServiceGrants"/>).
/// </summary>
internal sealed class ServiceBusMembers(PluginCatalog catalog, Rollouts.PluginAccess access, ServiceGrants grants, ServiceGrantSignals signals)
    : AdminGrantedBusMembers(grants, signals), IBusMemberSource
{
    public const string MemberKind = "service";

    public string Kind => MemberKind;

    public Task<BusMemberIdentity?> ResolveAsync(Guid userId, BusMemberRef member, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.PluginId is not { Length: > 0 and <= 200 } pluginId || member.ServiceId is not { Length: > 0 and <= 64 } serviceId
            || catalog.Find(pluginId) is not { } plugin || !plugin.IsUsable || !access.IsAvailable(userId, pluginId)
            || member.Version != access.AssignedVersion(userId, plugin)
            || plugin.Versions.GetValueOrDefault(member.Version)?.Manifest.FindService(serviceId) is not { } service || plugin.IsKilled(member.Version))
        {
            // Only the person's version runs (the active one, or theirs during a rollout): after an
            // upgrade the page restarts the service on it.
            return Task.FromResult<BusMemberIdentity?>(null);
        }

        return Task.FromResult<BusMemberIdentity?>(new BusMemberIdentity(
            Kind, $"service:{pluginId}/{serviceId}", pluginId, member.Version, "service:" + serviceId, service.Topics, service)
        {
            Capabilities = service.Capabilities,
            ServiceId = serviceId,
        });
    }
}

/// <summary>
/// Members no person watches (services, and pages, whose capabilities are the plugin's): what
/// they hold is what an admin granted the plugin, and a revoke cancels at once.
/// </summary>
internal abstract class AdminGrantedBusMembers(ServiceGrants grants, ServiceGrantSignals signals)
{
    public async Task<(bool Granted, CancellationToken Revoked)> GrantAsync(BusMemberIdentity member, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        var revoked = signals.TokenFor(member.PluginId, CardBusMembers.Capability);
        return (await HoldsAsync(member, CardBusMembers.Capability, ct), revoked);
    }

    public async Task<bool> HoldsAsync(BusMemberIdentity member, string capability, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        return member.Capabilities.Contains(capability, StringComparer.Ordinal) && await grants.IsGrantedAsync(member.PluginId, capability, ct);
    }
}
