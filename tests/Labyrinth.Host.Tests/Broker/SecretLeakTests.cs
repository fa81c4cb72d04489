using System.Net;
using System.Net.Http.Json;
using System.Text;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>
/// After the vault and the broker have done their work (shared and user keys stored, rotated, used
/// for streaming, echoing and query-injected requests), neither key is anywhere a person or a card
/// could read it: logs, audit export, network log, metrics, the database file and its WAL.
/// </summary>
public sealed class SecretLeakTests(BrokerHost host) : IClassFixture<BrokerHost>
{
    private const string UserSecret = "sk-user-leak-check-5555-6666-7777";
    private const string RotatedUserSecret = "sk-user-rotated-8888-9999-0000";

    [Fact]
    public async Task Secrets_AfterUse_AreNotInCapturedLogs()
    {
        await ExerciseAsync();

        var logs = host.App.Logs.AllText;

        Assert.Contains("/network/qkey", logs, StringComparison.Ordinal); // trace-level logging saw the broker requests
        Assert.Contains("Broker refused a request to service fake", logs, StringComparison.Ordinal);
        AssertAbsent(logs);
    }

    [Fact]
    public async Task Secrets_AfterUse_AreNotInAuditExport()
    {
        await ExerciseAsync();
        await WaitForAuditAsync();

        var export = await host.Admin.GetStringAsync("/api/admin/audit/export");

        Assert.Contains("secret.use", export, StringComparison.Ordinal);
        Assert.Contains("secret.rotate", export, StringComparison.Ordinal);
        AssertAbsent(export);
    }

    [Fact]
    public async Task Secrets_AfterUse_AreNotInNetworkLog()
    {
        var card = await ExerciseAsync();

        await host.LogRowAsync(card, r => r.ServiceId == "qkey");
        await using var scope = host.App.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<LabyrinthDb>().NetworkLog.AsNoTracking().ToListAsync();

        Assert.NotEmpty(rows);
        AssertAbsent(string.Join('\n', rows.Select(r => $"{r.ServiceId} {r.Method} {r.Path} {r.Error}")));
    }

    [Fact]
    public async Task Secrets_AfterUse_AreNotInMetrics()
    {
        await ExerciseAsync();

        var metrics = HttpClientExtensions.WithoutInstanceLabel(await host.Admin.GetStringAsync("/metrics"));

        Assert.Contains("labyrinth_broker_requests_total{service=\"fake\",status=\"200\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("labyrinth_broker_duration_seconds", metrics, StringComparison.Ordinal);
        AssertAbsent(metrics);
    }

    [Fact]
    public async Task Secrets_AfterUse_AreNotInDatabaseFileOrWal()
    {
        await ExerciseAsync();
        await WaitForAuditAsync();

        var bytes = host.DatabaseBytes();

        Assert.Contains("CfDJ8", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal); // Data Protection ciphertext is there
        foreach (var secret in new[] { BrokerHost.Secret, UserSecret, RotatedUserSecret })
        {
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), "The database holds a secret in clear (UTF-8).");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), "The database holds a secret in clear (UTF-16).");
        }
    }

    private async Task<Card> ExerciseAsync()
    {
        var card = await host.CardAsync("fake", "qkey");
        Guid id;
        using (var created = await card.Client.PostAsJsonAsync("/api/secrets", new { name = "mine", serviceId = "qkey", value = UserSecret }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
            id = Guid.Parse((await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).Id());
        }

        await card.CallAsync("fake", new { method = "POST", path = "/chat/completions", body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}", stream = true });
        await card.CallAsync("fake", new { method = "GET", path = "/test/echo" });
        await card.CallAsync("qkey", new { method = "GET", path = "/echo" });
        using (var rotated = await card.Client.PutAsJsonAsync($"/api/secrets/{id}", new { value = RotatedUserSecret }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, rotated);
        }

        await card.CallAsync("qkey", new { method = "GET", path = "/echo", query = new Dictionary<string, string> { ["q"] = "1" } });
        using (var refused = await card.Client.PostAsJsonAsync(card.Url("fake"), new { method = "GET", path = "/not-allowed" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Forbidden, refused);
        }
        await host.LogRowAsync(card, r => r.ServiceId == "qkey" && r.Path == "/echo");
        return card;
    }

    private Task WaitForAuditAsync() => Eventually.TrueAsync(async () =>
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LabyrinthDb>().AuditEntries.AnyAsync(a => a.Action == "secret.use");
    }, "a secret.use audit row was written");

    private static void AssertAbsent(string text)
    {
        Assert.DoesNotContain(BrokerHost.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(UserSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(RotatedUserSecret, text, StringComparison.Ordinal);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
