using Labyrinth.Core.Audit;
using Labyrinth.Host.Features.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// The audit log is one hash chain however many writers append at once: on PostgreSQL from two
/// hosts sharing the database (the database serializes appends), on SQLite from one host.
/// </summary>
public sealed class AuditChainConcurrencyTests
{
    private const int Appends = 200;

    [Fact]
    public async Task ConcurrentAppends_SpreadOverHosts_LeaveOneChainThatVerifies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SharedDatabase();
        var hosts = cluster.IsShared ? new[] { cluster.Host(), cluster.Host() } : [cluster.Host()];
        foreach (var host in hosts)
        {
            _ = host.Services; // start (and migrate) before the race, as running instances would be
        }

        using var start = new SemaphoreSlim(0);
        var writers = Enumerable.Range(0, Appends).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync(ct);
            await using var scope = hosts[i % hosts.Length].Services.CreateAsyncScope();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            await audit.AppendAsync("tester", "test.append", null, new { i, host = i % hosts.Length }, ct);
        }, ct)).ToList();
        start.Release(Appends);
        await Task.WhenAll(writers);

        await using var read = hosts[^1].Services.CreateAsyncScope();
        var entries = await read.ServiceProvider.GetRequiredService<AuditLog>().ReadAllAsync(ct);
        var appended = entries.Where(e => e.Action == "test.append").ToList();
        var verification = AuditChain.Verify(entries);

        Assert.Equal(Appends, appended.Count);
        Assert.True(verification.IsValid, verification.Message);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(n => (long)n), entries.Select(e => e.Sequence));
    }
}
