using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Manifests;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Vault;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.PluginConfig;

/// <summary>
/// A plugin's admin configuration, checked against the active version's <c>configSchema</c>.
/// Secret fields are encrypted with the vault's key ring (its Data Protection purpose, narrowed to
/// plugin configuration) and never leave the server again: the admin sees "set"/"not set", cards
/// and services never see them, the audit row names the field only.
/// </summary>
internal sealed class PluginConfigService(
    LabyrinthDb db, PluginCatalog catalog, IDataProtectionProvider protection, AuditLog audit, PluginEvents events, TimeProvider clock)
{
    public const string AuditAction = "plugin.config";
    public const string SecretSet = "set";
    public const string SecretNotSet = "not set";

    private readonly IDataProtector protector = protection.CreateProtector(VaultService.Purpose, "PluginConfig");

    /// <summary>The admin's view: schema, effective values, which secrets are set.</summary>
    public async Task<Outcome<PluginConfigDto>> GetAsync(string pluginId, CancellationToken ct)
    {
        if (catalog.Find(pluginId) is not { Active: { } active })
        {
            return NotInstalled(pluginId);
        }

        var row = await db.PluginConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.PluginId == pluginId, ct);
        return ToDto(pluginId, active.Version, active.Manifest.Config, row);
    }

    /// <summary>
    /// Replaces the non-secret values with <paramref name="values"/>; a secret field given a string
    /// gets that value, given null is cleared, left out keeps what it had. Everything is checked
    /// first: a configuration with any problem changes nothing. With <paramref name="ifRevision"/>
    /// the save happens only over that revision (0: nothing saved yet), so two admins editing at
    /// once never overwrite each other silently; the revision column is a concurrency token, so
    /// this also holds when both saves race past the check.
    /// </summary>
    public async Task<Outcome<PluginConfigDto>> SaveAsync(string pluginId, JsonElement values, long? ifRevision, string actor, CancellationToken ct)
    {
        if (catalog.Find(pluginId) is not { Active: { } active })
        {
            return NotInstalled(pluginId);
        }

        if (active.Manifest.Config is not { } schema)
        {
            return Refusal.Invalid(ErrorCodes.ConfigNone, $"{active.Manifest.Name} has no settings (its manifest declares no configSchema).");
        }

        var problems = ConfigSchemaRules.Validate(schema, values);
        if (problems.Count > 0)
        {
            return Refusal.Invalid(ErrorCodes.ConfigInvalid, problems.Count == 1 ? "One setting is not valid." : $"{problems.Count} settings are not valid.",
                new Dictionary<string, object?> { ["problems"] = problems.Select(p => new ConfigProblemDto(p.Pointer, p.Message)).ToArray() });
        }

        var row = await db.PluginConfigs.SingleOrDefaultAsync(c => c.PluginId == pluginId, ct);
        if (ifRevision is { } expected && expected != (row?.Revision ?? 0))
        {
            return RevisionConflict(row?.Revision ?? 0);
        }

        var before = row is null ? null : JsonNode.Parse(row.ValuesJson) as JsonObject;
        var secrets = row is null ? new Dictionary<string, string>(StringComparer.Ordinal) : ReadSecrets(row.SecretsJson);
        var plain = new JsonObject();
        var set = new List<string>();
        var cleared = new List<string>();
        foreach (var field in schema.Fields)
        {
            if (ConfigSchemaRules.Lookup(values, field) is not { } value)
            {
                continue;
            }

            if (field.Secret)
            {
                if (value.ValueKind == JsonValueKind.Null)
                {
                    if (secrets.Remove(field.Pointer))
                    {
                        cleared.Add(field.Pointer);
                    }
                }
                else
                {
                    secrets[field.Pointer] = protector.Protect(value.GetString()!);
                    set.Add(field.Pointer);
                }

                continue;
            }

            var target = plain;
            if (field.Group is { } group)
            {
                if (plain[group] is not JsonObject g)
                {
                    g = new JsonObject();
                    plain[group] = g;
                }

                target = g;
            }

            target[field.Name] = JsonNode.Parse(value.GetRawText());
        }

        var changed = schema.Fields.Where(f => !f.Secret && !JsonNode.DeepEquals(Node(before, f), Node(plain, f))).Select(f => f.Pointer).ToArray();
        var now = clock.GetUtcNow().UtcDateTime;
        if (row is null)
        {
            row = new PluginConfigEntity { PluginId = pluginId, ValuesJson = "{}", SecretsJson = "{}", UpdatedBy = actor };
            db.PluginConfigs.Add(row);
        }

        row.ValuesJson = plain.ToJsonString();
        row.SecretsJson = JsonSerializer.Serialize(secrets);
        row.Revision++;
        row.UpdatedBy = actor;
        row.UpdatedAt = now;
        try
        {
            // Field pointers only: a secret's value, and even whether it changed from one value to another, stays out of the log.
            await audit.AppendAsync(actor, AuditAction, pluginId, new { revision = row.Revision, changed, secretsSet = set, secretsCleared = cleared }, ct);
        }
        catch (DbUpdateException)
        {
            // Another save went in between the read above and this write (the revision moved, or a
            // first row was inserted twice); the audit row went with it, so nothing is half-saved.
            db.ChangeTracker.Clear();
            var current = await db.PluginConfigs.AsNoTracking().Where(c => c.PluginId == pluginId).Select(c => (long?)c.Revision).SingleOrDefaultAsync(ct);
            return RevisionConflict(current ?? 0);
        }

        await events.ConfigChangedAsync(pluginId, row.Revision);
        return ToDto(pluginId, active.Version, schema, row);
    }

    /// <summary>What the plugin's cards and services see: non-secret fields, saved or default.</summary>
    public async Task<JsonObject> EffectiveAsync(string pluginId, CancellationToken ct)
    {
        var schema = catalog.Find(pluginId)?.Active?.Manifest.Config;
        if (schema is null)
        {
            return [];
        }

        var json = await db.PluginConfigs.AsNoTracking().Where(c => c.PluginId == pluginId).Select(c => c.ValuesJson).SingleOrDefaultAsync(ct);
        return Effective(schema, json);
    }

    /// <summary>Removes the configuration with the plugin's data (uninstall, "delete data").</summary>
    public Task<int> DeleteAsync(string pluginId, CancellationToken ct) => db.PluginConfigs.Where(c => c.PluginId == pluginId).ExecuteDeleteAsync(ct);

    private static JsonObject Effective(ConfigSchema schema, string? valuesJson)
    {
        if (valuesJson is null)
        {
            return ConfigSchemaRules.Effective(schema, null);
        }

        using var doc = JsonDocument.Parse(valuesJson);
        return ConfigSchemaRules.Effective(schema, doc.RootElement);
    }

    private static JsonNode? Node(JsonObject? values, ConfigField field) =>
        field.Group is { } group ? (values?[group] as JsonObject)?[field.Name] : values?[field.Name];

    private static Dictionary<string, string> ReadSecrets(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) is { } d ? new(d, StringComparer.Ordinal) : new(StringComparer.Ordinal);

    private static PluginConfigDto ToDto(string pluginId, string version, ConfigSchema? schema, PluginConfigEntity? row)
    {
        var secrets = row is null ? [] : ReadSecrets(row.SecretsJson);
        return new PluginConfigDto(
            pluginId,
            version,
            schema?.Document,
            schema is null ? [] : Effective(schema, row?.ValuesJson),
            schema?.Secrets.ToDictionary(f => f.Pointer, f => secrets.ContainsKey(f.Pointer) ? SecretSet : SecretNotSet, StringComparer.Ordinal) ?? [],
            row?.Revision ?? 0,
            row is null ? null : new DateTimeOffset(row.UpdatedAt, TimeSpan.Zero),
            row?.UpdatedBy);
    }

    private static Refusal RevisionConflict(long current) => Refusal.Conflict(
        ErrorCodes.ConfigRevisionConflict,
        "Someone saved these settings after you opened them. Load their version, then make your change again.",
        new Dictionary<string, object?> { ["revision"] = current });

    private static Refusal NotInstalled(string pluginId) => Refusal.NotFound(ErrorCodes.PluginNotFound, $"No plugin \"{pluginId}\" is installed.");
}

/// <summary>
/// A plugin's configuration for its admin page: the schema as written (the form is drawn from it),
/// the values cards see (saved or default), and each secret field's pointer → "set" / "not set".
/// </summary>
internal sealed record PluginConfigDto(
    string PluginId, string Version, JsonElement? Schema, JsonObject Values, IReadOnlyDictionary<string, string> Secrets, long Revision,
    DateTimeOffset? UpdatedAt, string? UpdatedBy);

internal sealed record ConfigProblemDto(string Pointer, string Message);

/// <summary>The body of <c>PUT /api/admin/plugins/{id}/config</c>; <see cref="IfRevision"/> is the revision the form was loaded at.</summary>
internal sealed record PluginConfigRequest(JsonElement Values, long? IfRevision = null);
