using System.Text.Json;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Features.Services;

/// <summary>
/// Ships a disabled <c>openai</c> service on first start. A host setting remembers that it was
/// seeded, so an admin who deletes it does not see it come back on the next restart.
/// </summary>
internal sealed class OpenAiServiceSeeder(IServiceScopeFactory scopes, TimeProvider clock) : IHostedService
{
    public const string SeededSetting = "services.openai.seeded";

    private static readonly string[] Methods = ["POST", "GET"];
    private static readonly string[] PathPrefixes = ["/chat/completions", "/models"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        if (await db.HostSettings.AnyAsync(s => s.Key == SeededSetting, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (!await db.NetworkServices.AnyAsync(s => s.Id == "openai", cancellationToken))
        {
            db.NetworkServices.Add(new NetworkServiceEntity
            {
                Id = "openai",
                DisplayName = "OpenAI",
                BaseUrl = "https://api.openai.com/v1",
                MethodsJson = JsonSerializer.Serialize(Methods),
                PathPrefixesJson = JsonSerializer.Serialize(PathPrefixes),
                SecretIn = "header",
                SecretName = "Authorization",
                SecretTemplate = "Bearer {secret}",
                TimeoutSeconds = 60,
                MaxRequestBytes = 1024 * 1024,
                MaxResponseBytes = 8 * 1024 * 1024,
                RatePerMinute = 60,
                Burst = Labyrinth.Core.Broker.ServiceRules.DefaultBurst(60),
                AllowStreaming = true,
                AllowPrivateNetwork = false,
                Enabled = false,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        db.HostSettings.Add(new HostSettingEntity { Key = SeededSetting, Value = "true", UpdatedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Instances sharing a database start together: another one seeded it first.
            if (!await db.HostSettings.AsNoTracking().AnyAsync(s => s.Key == SeededSetting, cancellationToken))
            {
                throw;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
