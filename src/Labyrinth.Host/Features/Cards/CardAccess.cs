using System.Collections.Concurrent;
using System.Security.Cryptography;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Cards;

/// <summary>
/// One card instance — a plugin window on a board — resolved for its board's owner, with what its
/// manifest entry requests. Only <see cref="CardAccess"/> creates these, so holding one means the
/// ownership check passed.
/// </summary>
internal sealed record CardInstance(
    Guid BoardId,
    string WindowId,
    Guid UserId,
    string PluginId,
    string Version,
    string TypeID,
    string CardName,
    IReadOnlyList<string> RequestedCapabilities,
    CardTopics Topics,
    bool Stopped = false,
    bool Unavailable = false)
{
    public bool Requests(string capability) => RequestedCapabilities.Contains(capability, StringComparer.Ordinal);
}

/// <summary>
/// The server-side gate every card endpoint (grants, assets, broker) passes through: the board must
/// be the caller's, the window a plugin window, and its plugin version installed. Grants are read
/// from the database on every check, so a revoke takes effect on the next request. Which plugin
/// window a (person, board, window) is comes from <see cref="CardWindowCache"/> while the card
/// epoch has not moved, so a card request that hits it rents no database context at all.
/// </summary>
internal sealed class CardAccess(IServiceProvider services, PluginCatalog catalog, PluginAccess pluginAccess, CardWindowCache windows)
{
    // Compiled once: every card request (state, grants, assets, broker calls) that misses the cache runs it.
    private static readonly Func<LabyrinthDb, Guid, string, Guid, CancellationToken, Task<CardWindow?>> FindWindow =
        EF.CompileAsyncQuery((LabyrinthDb db, Guid boardId, string windowId, Guid userId, CancellationToken ct) =>
            db.CardWindows.AsNoTracking()
                .Where(w => w.BoardId == boardId && w.WindowId == windowId && db.Boards.Any(b => b.Id == boardId && b.OwnerId == userId))
                .Select(w => new CardWindow(w.PluginId, w.Version, w.TypeId))
                .SingleOrDefault());

    // Compiled once: every broker call checks its grant.
    private static readonly Func<LabyrinthDb, Guid, string, string, Guid, CancellationToken, Task<CardGrantEntity?>> FindGrant =
        EF.CompileAsyncQuery((LabyrinthDb db, Guid boardId, string windowId, string capability, Guid userId, CancellationToken ct) =>
            db.CardGrants.AsNoTracking()
                .SingleOrDefault(g => g.BoardId == boardId && g.WindowId == windowId && g.Capability == capability && g.UserId == userId));

    private LabyrinthDb? db;

    // Rented from the pool on first use only: renting was a large share of a cached request's cost.
    private LabyrinthDb Db => db ??= services.GetRequiredService<LabyrinthDb>();

    /// <summary>The card, or null when the board is not <paramref name="userId"/>'s, the window is missing or not a plugin window, or its version is gone.</summary>
    public Task<CardInstance?> FindAsync(Guid userId, Guid boardId, string windowId, CancellationToken ct) =>
        FindAsync(userId, boardId, windowId, null, ct);

    /// <summary>
    /// As <see cref="FindAsync(Guid, Guid, string, CancellationToken)"/>; with the request's
    /// <paramref name="epoch"/> the window may come from memory (the card epoch is where it was
    /// when it was loaded, so no card, board or owner changed since).
    /// </summary>
    public async Task<CardInstance?> FindAsync(Guid userId, Guid boardId, string windowId, DataEpoch? epoch, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(windowId))
        {
            return null;
        }

        var window = epoch is { } e ? windows.Find((userId, boardId, windowId), e.Cards) : null;
        if (window is null)
        {
            window = await FindWindow(Db, boardId, windowId, userId, ct);
            if (window is null)
            {
                return null;
            }

            if (epoch is { } read)
            {
                windows.Store((userId, boardId, windowId), read.Cards, window);
            }
        }

        // Evaluated on every request, never cached: plugin state and rollouts live in memory and
        // change by their own signals. A card follows its person's version down when a rollout is
        // rolled back.
        var installed = catalog.Find(window.PluginId);
        var version = installed is null ? window.Version : pluginAccess.CardVersion(userId, installed, window.Version, window.TypeId);
        var card = catalog.FindVersion(window.PluginId, version)?.FindCard(window.TypeId);
        // A disabled plugin, a killed version or a plugin limited to other groups still has its
        // permissions (so people can see and revoke them), but it must not use them: its frame is
        // refused, and cached code must not reach assets or the network either.
        var unavailable = !pluginAccess.IsAvailable(userId, window.PluginId);
        var stopped = installed is null || !installed.Enabled || installed.IsKilled(version) || unavailable;
        return card is null
            ? null
            : new CardInstance(boardId, windowId, userId, window.PluginId, version, window.TypeId, card.Name, card.Capabilities, card.Topics, stopped, unavailable);
    }

    /// <summary>True when the card's manifest requests <paramref name="capability"/> and its owner granted it.</summary>
    public async Task<bool> IsGrantedAsync(CardInstance card, string capability, CancellationToken ct) =>
        await GetGrantAsync(card, capability, ct) is not null;

    /// <summary>The grant row (for its handle and date), or null when not granted or no longer requested.</summary>
    public async Task<CardGrantEntity?> GetGrantAsync(CardInstance card, string capability, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(capability);
        if (!card.Requests(capability))
        {
            return null;
        }

        return await FindGrant(Db, card.BoardId, card.WindowId, capability, card.UserId, ct);
    }

    /// <summary>Every grant the card holds that its manifest still requests, in no particular order.</summary>
    public async Task<List<CardGrantEntity>> GrantsAsync(CardInstance card, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var rows = await Db.CardGrants.AsNoTracking()
            .Where(g => g.BoardId == card.BoardId && g.WindowId == card.WindowId && g.UserId == card.UserId)
            .ToListAsync(ct);
        return rows.Where(g => card.Requests(g.Capability)).ToList();
    }

    /// <summary>
    /// The opaque handle a <c>network:&lt;service&gt;</c> grant shows the card: it names the service
    /// and the card but carries no secret and authorises nothing on its own.
    /// </summary>
    public static string NewNetworkHandle(string service, string windowId) =>
        $"token://{service}/card-{windowId}/session-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
}

/// <summary>Which plugin card a window on a board is (its CardWindows row).</summary>
internal sealed record CardWindow(string PluginId, string Version, string TypeId);

/// <summary>
/// The card windows people's requests found, kept for one card epoch: every write to CardWindows
/// and every update or delete of a board moves it, so a window removed from its board, a board
/// deleted or given to someone else is never served from memory once that change is committed.
/// Only windows that exist are kept (a miss reads the database again).
/// </summary>
internal sealed class CardWindowCache : EpochCache<(Guid UserId, Guid BoardId, string WindowId), CardWindow>;

/// <summary>
/// Cancellation per (card, capability), so long-running work (broker streams, pending reads)
/// stops the moment the grant goes: revoking one capability, revoke-all, or deleting the window
/// or board cancels the token on every instance; the next <see cref="TokenFor"/> hands out a fresh one.
/// </summary>
internal sealed class CardGrantSignals(Cluster.IClusterSignals cluster, Cluster.ClusterInstance instance)
{
    private readonly ConcurrentDictionary<(Guid BoardId, string WindowId, string Capability), CancellationTokenSource> sources = new();

    // Which plugin version each card with a live token runs, so stopping a plugin (kill, disable,
    // uninstall) can end its cards' in-flight work without a database read on the hot path.
    private readonly ConcurrentDictionary<(Guid BoardId, string WindowId), (string PluginId, string Version)> owners = new();

    public CancellationToken TokenFor(Guid boardId, string windowId, string capability)
    {
        ArgumentNullException.ThrowIfNull(windowId);
        ArgumentNullException.ThrowIfNull(capability);
        return sources.GetOrAdd((boardId, windowId, capability), _ => new CancellationTokenSource()).Token;
    }

    /// <summary>The card's token for <paramref name="capability"/>, also cancelled when its plugin version stops (<see cref="RevokeStoppedHere"/>).</summary>
    public CancellationToken TokenFor(CardInstance card, string capability)
    {
        ArgumentNullException.ThrowIfNull(card);
        owners[(card.BoardId, card.WindowId)] = (card.PluginId, card.Version);
        return TokenFor(card.BoardId, card.WindowId, capability);
    }

    /// <summary>
    /// Ends the in-flight work of every card whose plugin is gone, disabled, or killed (whole or
    /// its version), on this instance. Each instance runs it after reloading the catalog, which a
    /// plugin change announces everywhere, so no signal of its own is needed.
    /// </summary>
    public void RevokeStoppedHere(PluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var (card, owner) in owners)
        {
            if (catalog.Find(owner.PluginId) is not { Enabled: true } plugin || plugin.IsKilled(owner.Version))
            {
                RevokeCardHere(card.BoardId, card.WindowId);
            }
        }
    }

    /// <summary>Cancels here and on every other instance (a broker stream may run on any of them).</summary>
    public void Revoke(Guid boardId, string windowId, string capability)
    {
        RevokeHere(boardId, windowId, capability);
        cluster.Publish(new Cluster.ClusterSignal(Cluster.ClusterSignal.CardCapabilityRevoked, instance.Id) { BoardId = boardId, WindowId = windowId, Capability = capability });
    }

    /// <summary>Every capability of one card (revoke-all, window deleted).</summary>
    public void RevokeCard(Guid boardId, string windowId)
    {
        RevokeCardHere(boardId, windowId);
        cluster.Publish(new Cluster.ClusterSignal(Cluster.ClusterSignal.CardRevoked, instance.Id) { BoardId = boardId, WindowId = windowId });
    }

    /// <summary>Every card on a board (board deleted).</summary>
    public void RevokeBoard(Guid boardId)
    {
        RevokeBoardHere(boardId);
        cluster.Publish(new Cluster.ClusterSignal(Cluster.ClusterSignal.BoardRevoked, instance.Id) { BoardId = boardId });
    }

    public void RevokeHere(Guid boardId, string windowId, string capability)
    {
        if (sources.TryRemove((boardId, windowId, capability), out var source))
        {
            source.Cancel();
        }
    }

    public void RevokeCardHere(Guid boardId, string windowId)
    {
        owners.TryRemove((boardId, windowId), out _);
        RevokeWhere(k => k.BoardId == boardId && string.Equals(k.WindowId, windowId, StringComparison.Ordinal));
    }

    public void RevokeBoardHere(Guid boardId)
    {
        foreach (var card in owners.Keys.Where(k => k.BoardId == boardId).ToList())
        {
            owners.TryRemove(card, out _);
        }

        RevokeWhere(k => k.BoardId == boardId);
    }

    private void RevokeWhere(Func<(Guid BoardId, string WindowId, string Capability), bool> match)
    {
        foreach (var key in sources.Keys.Where(match).ToList())
        {
            if (sources.TryRemove(key, out var source))
            {
                // Not disposed: tokens already handed out must stay usable (and cancelled).
                source.Cancel();
            }
        }
    }
}

/// <summary>What the permissions panel shows under "Network" for a card (the broker's <c>CardNetworkStatus</c>).</summary>
internal interface ICardNetworkStatus
{
    Task<CardNetworkDto> GetAsync(CardInstance card, CancellationToken ct);
}
