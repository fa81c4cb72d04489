using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Features.Bus;

/// <summary>
/// A bus member as the host resolved it: its plugin, card type and declared topics come from the
/// installed manifest, never from the page.
/// </summary>
internal sealed record BusMemberIdentity(string Kind, string Key, string PluginId, string Version, string TypeID, CardTopics Topics, object State)
{
    /// <summary>What the member's manifest entry requests (<c>api:&lt;pluginId&gt;</c> among them).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>For services: the service id (its API's answerer when it matches <c>api.service</c>).</summary>
    public string? ServiceId { get; init; }
}

/// <summary>
/// One kind of bus member (cards, background services): resolves what the page names for the
/// signed-in person and tells whether it holds a capability (the bus grant, <c>api:&lt;pluginId&gt;</c>).
/// </summary>
internal interface IBusMemberSource
{
    string Kind { get; }

    /// <summary>The member, or null when it is not the person's (or does not exist).</summary>
    Task<BusMemberIdentity?> ResolveAsync(Guid userId, BusMemberRef member, CancellationToken ct);

    /// <summary>Whether the member may use the bus now, and a token cancelled when that grant is revoked.</summary>
    Task<(bool Granted, CancellationToken Revoked)> GrantAsync(BusMemberIdentity member, CancellationToken ct);

    /// <summary>Whether the member's manifest requests <paramref name="capability"/> and it is granted now.</summary>
    Task<bool> HoldsAsync(BusMemberIdentity member, string capability, CancellationToken ct);
}

/// <summary>Cards: a plugin window on one of the person's boards; the grant is <c>crossCard:pubsub</c> on that card.</summary>
internal sealed class CardBusMembers(CardAccess access, CardGrantSignals signals) : IBusMemberSource
{
    public const string Capability = "crossCard:pubsub";

    public string Kind => "card";

    public async Task<BusMemberIdentity?> ResolveAsync(Guid userId, BusMemberRef member, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.BoardId is not { } boardId || member.WindowId is not { Length: > 0 and <= 64 } windowId)
        {
            return null;
        }

        var card = await access.FindAsync(userId, boardId, windowId, ct);
        return card is null
            ? null
            : new BusMemberIdentity(Kind, $"card:{card.BoardId:N}/{card.WindowId}", card.PluginId, card.Version, card.TypeID, card.Topics, card)
            {
                Capabilities = card.RequestedCapabilities,
            };
    }

    public Task<bool> HoldsAsync(BusMemberIdentity member, string capability, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        return access.IsGrantedAsync((CardInstance)member.State, capability, ct);
    }

    public async Task<(bool Granted, CancellationToken Revoked)> GrantAsync(BusMemberIdentity member, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(member);
        var card = (CardInstance)member.State;
        // The token first: a revoke that lands between it and the query still cancels it.
        var revoked = signals.TokenFor(card.BoardId, card.WindowId, Capability);
        var granted = await access.IsGrantedAsync(card, Capability, ct);
        return (granted, revoked);
    }
}

/// <summary>Whether a member's plugin version may run now, for the person it runs for.</summary>
internal static class BusMemberState
{
    /// <summary>Disabled, killed and uninstalled plugins may not run for anyone.</summary>
    public static bool IsStopped(PluginCatalog catalog, BusMemberIdentity member)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(member);
        var installed = catalog.Find(member.PluginId);
        return installed is null || !installed.Enabled || installed.IsKilled(member.Version);
    }

    /// <summary>
    /// Stopped, or no longer the person's: the plugin limited to groups they are not in (or they
    /// left the group), or a version that is no longer theirs. A service or a page runs only the
    /// person's assigned version; a card nothing newer than it (a rolled-back rollout moves its
    /// cards down). Decided from the host's records on every check, so a member that joined before
    /// the change cannot keep using the bus with what it resolved then.
    /// </summary>
    public static bool MayNotRun(PluginCatalog catalog, Rollouts.PluginAccess access, Guid userId, BusMemberIdentity member)
    {
        ArgumentNullException.ThrowIfNull(access);
        if (IsStopped(catalog, member) || catalog.Find(member.PluginId) is not { } plugin || !access.IsAvailable(userId, plugin.Id))
        {
            return true;
        }

        return member.Kind is "service" or "page"
            ? !string.Equals(access.AssignedVersion(userId, plugin), member.Version, StringComparison.Ordinal)
            : !access.AllowsVersion(userId, plugin, member.Version);
    }
}
