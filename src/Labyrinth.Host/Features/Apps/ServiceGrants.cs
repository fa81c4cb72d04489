using System.Collections.Concurrent;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Apps;

/// <summary>
/// The capabilities an admin granted a plugin's background services and pages. A grant covers what
/// any of the plugin's services or pages requests (<c>services[].capabilities</c>,
/// <c>pages[].requires.capabilities</c>), plus <c>storage:workspace-write</c>
/// when a card requests it (no person may grant writing what everyone shares); revoking it cancels
/// <see cref="ServiceGrantSignals"/> at once, so bus subscriptions drop and calls are refused.
/// </summary>
internal sealed class ServiceGrants(LabyrinthDb db, PluginCatalog catalog, ServiceGrantSignals signals, AuditLog audit, TimeProvider clock)
{
    /// <summary>Capabilities the active version's services request, and whether each is granted.</summary>
    public async Task<ServiceGrantDto[]?> ListAsync(string pluginId, CancellationToken ct)
    {
        var requested = Requested(pluginId);
        if (requested is null)
        {
            return null;
        }

        var rows = await db.PluginServiceGrants.AsNoTracking().Where(g => g.PluginId == pluginId).ToListAsync(ct);
        return [.. requested.Select(c => rows.FirstOrDefault(r => r.Capability == c) is { } row
            ? new ServiceGrantDto(c, true, row.GrantedBy, new DateTimeOffset(row.GrantedAt, TimeSpan.Zero))
            : new ServiceGrantDto(c, false, null, null))];
    }

    public async Task<bool> IsGrantedAsync(string pluginId, string capability, CancellationToken ct) =>
        Requested(pluginId)?.Contains(capability, StringComparer.Ordinal) == true
        && await db.PluginServiceGrants.AsNoTracking().AnyAsync(g => g.PluginId == pluginId && g.Capability == capability, ct);

    /// <summary>
    /// True when one of the plugin's services or pages requests <paramref name="capability"/> and an admin
    /// granted it (a grant a card requested, like <c>storage:workspace-write</c>, does not make a
    /// service hold it).
    /// </summary>
    public async Task<bool> IsServiceGrantedAsync(string pluginId, string capability, CancellationToken ct) =>
        catalog.Find(pluginId)?.Active?.Manifest is { } manifest
        && (manifest.Services.Any(s => s.Capabilities.Contains(capability, StringComparer.Ordinal)) || manifest.Pages.Any(p => p.Capabilities.Contains(capability, StringComparer.Ordinal)))
        && await IsGrantedAsync(pluginId, capability, ct);

    public async Task<Outcome<ServiceGrantDto>> GrantAsync(string pluginId, string capability, string actor, CancellationToken ct)
    {
        var requested = Requested(pluginId);
        if (requested is null)
        {
            return Refusal.NotFound(ErrorCodes.PluginNotFound, $"No plugin \"{pluginId}\" is installed.");
        }

        if (!requested.Contains(capability, StringComparer.Ordinal))
        {
            return Refusal.Invalid(ErrorCodes.GrantNotRequested,
                $"No service or page of {pluginId} requests \"{capability}\"; it requests {(requested.Count == 0 ? "nothing" : string.Join(", ", requested))}.");
        }

        var row = await db.PluginServiceGrants.SingleOrDefaultAsync(g => g.PluginId == pluginId && g.Capability == capability, ct);
        if (row is null)
        {
            row = new PluginServiceGrantEntity { PluginId = pluginId, Capability = capability, GrantedBy = actor, GrantedAt = clock.GetUtcNow().UtcDateTime };
            db.PluginServiceGrants.Add(row);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(actor, AppAuditActions.ServiceGrant, pluginId, new { capability }, ct);
        }

        return new ServiceGrantDto(capability, true, row.GrantedBy, new DateTimeOffset(row.GrantedAt, TimeSpan.Zero));
    }

    public async Task<bool> RevokeAsync(string pluginId, string capability, string actor, CancellationToken ct)
    {
        var removed = await db.PluginServiceGrants.Where(g => g.PluginId == pluginId && g.Capability == capability).ExecuteDeleteAsync(ct);
        signals.Revoke(pluginId, capability);
        if (removed > 0)
        {
            await audit.AppendAsync(actor, AppAuditActions.ServiceRevoke, pluginId, new { capability }, ct);
        }

        return removed > 0;
    }

    /// <summary>Grants every requested capability (the example plugins, which the operator installs at first start).</summary>
    public async Task GrantAllAsync(string pluginId, string actor, CancellationToken ct)
    {
        foreach (var capability in Requested(pluginId) ?? [])
        {
            await GrantAsync(pluginId, capability, actor, ct);
        }
    }

    /// <summary>What an admin may grant the plugin: its services' capabilities, and writing the shared workspace storage when a card asks for it.</summary>
    private IReadOnlyList<string>? Requested(string pluginId) =>
        catalog.Find(pluginId)?.Active?.Manifest is { } manifest
            ? [.. manifest.Services.SelectMany(s => s.Capabilities)
                .Concat(manifest.Pages.SelectMany(p => p.Capabilities))
                .Concat(manifest.Cards.SelectMany(c => c.Capabilities).Where(c => c == Core.Storage.StorageRules.WorkspaceWriteCapability))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : null;
}

/// <summary>Cancellation per (plugin, capability) for service grants, like card grant signals.</summary>
internal sealed class ServiceGrantSignals(Cluster.IClusterSignals cluster, Cluster.ClusterInstance instance)
{
    private readonly ConcurrentDictionary<(string PluginId, string Capability), CancellationTokenSource> sources = new();

    public CancellationToken TokenFor(string pluginId, string capability) =>
        sources.GetOrAdd((pluginId, capability), _ => new CancellationTokenSource()).Token;

    /// <summary>Cancels here and on every other instance.</summary>
    public void Revoke(string pluginId, string capability)
    {
        RevokeHere(pluginId, capability);
        cluster.Publish(new Cluster.ClusterSignal(Cluster.ClusterSignal.ServiceCapabilityRevoked, instance.Id) { PluginId = pluginId, Capability = capability });
    }

    /// <summary>Every grant of a plugin (disabled, killed or uninstalled), here and on every other instance.</summary>
    public void RevokePlugin(string pluginId)
    {
        RevokePluginHere(pluginId);
        cluster.Publish(new Cluster.ClusterSignal(Cluster.ClusterSignal.ServicePluginRevoked, instance.Id) { PluginId = pluginId });
    }

    public void RevokeHere(string pluginId, string capability)
    {
        if (sources.TryRemove((pluginId, capability), out var source))
        {
            source.Cancel();
        }
    }

    public void RevokePluginHere(string pluginId)
    {
        foreach (var key in sources.Keys.Where(k => k.PluginId == pluginId).ToList())
        {
            RevokeHere(key.PluginId, key.Capability);
        }
    }
}
