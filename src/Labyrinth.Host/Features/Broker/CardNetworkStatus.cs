using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Services;
using Labyrinth.Host.Features.Vault;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// The permissions panel's "Network" section: each service the card's manifest requests (granted?
/// configured? enabled? its opaque handle, and whose key it would use) and the card's 20 newest
/// brokered requests.
/// </summary>
internal sealed class CardNetworkStatus(CardAccess access, NetworkServices services, VaultService vault, LabyrinthDb db) : ICardNetworkStatus
{
    public const int RecentCount = 20;

    public async Task<CardNetworkDto> GetAsync(CardInstance card, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(card);
        var grants = (await access.GrantsAsync(card, ct)).ToDictionary(g => g.Capability, StringComparer.Ordinal);
        var statuses = new List<NetworkServiceStatusDto>();
        foreach (var capability in card.RequestedCapabilities.Where(c => c.StartsWith(CardCapabilities.NetworkPrefix, StringComparison.Ordinal)))
        {
            var serviceId = capability[CardCapabilities.NetworkPrefix.Length..];
            var service = await services.FindAsync(serviceId, ct);
            var grant = grants.GetValueOrDefault(capability);
            var configured = service is not null && await vault.IsConfiguredAsync(serviceId, card.UserId, ct);
            var name = service?.DisplayName ?? serviceId;
            var uses = service is null ? $"No {serviceId} service is set up on this host."
                : configured ? $"Uses {name} key via Host proxy"
                : $"{name} has no key yet; an admin has to add one.";
            statuses.Add(new NetworkServiceStatusDto(serviceId, name, grant is not null, configured, service?.Enabled ?? false, grant?.Handle, uses));
        }

        var recent = await db.NetworkLog.AsNoTracking()
            .Where(l => l.BoardId == card.BoardId && l.WindowId == card.WindowId && l.UserId == card.UserId)
            .OrderByDescending(l => l.Id)
            .Take(RecentCount)
            .ToListAsync(ct);
        return new CardNetworkDto(
            [.. statuses],
            [.. recent.Select(l => new NetworkLogDto(l.AtUtc, l.ServiceId, l.Method, l.Path, l.Status, l.RequestBytes, l.ResponseBytes, l.DurationMs, l.Error))]);
    }
}
