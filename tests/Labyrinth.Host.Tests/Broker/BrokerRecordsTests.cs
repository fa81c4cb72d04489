using System.Net;
using System.Net.Http.Json;
using Labyrinth.Core.Audit;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>
/// Every brokered call keeps its network-log row and its <c>secret.use</c> audit entry: across a
/// graceful stop with a backlog, and by refusing new calls (503 <c>broker.busy</c>) rather than
/// queueing without bound while the writer cannot write. Each test owns its host (it stops it or
/// holds the database's write gate).
/// </summary>
public sealed class BrokerRecordsTests
{
    private static readonly object Models = new { method = "GET", path = "/models" };

    [Fact]
    public async Task GracefulStop_WithCallsNotYetWritten_EveryCallHasItsLogRowAndAuditEntry()
    {
        const int Calls = 120;
        var host = new BrokerHost(new Dictionary<string, string?>());
        await host.InitializeAsync();
        try
        {
            var card = await host.CardAsync("fake");
            var gate = host.App.Services.GetRequiredService<SqliteWriteGate>();
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

            // Nothing can be written while the test holds the write gate: every row is still queued
            // when the stop begins.
            await gate.EnterAsync(CancellationToken.None);
            var released = false;
            try
            {
                for (var i = 0; i < Calls; i++)
                {
                    var answer = await card.CallAsync("fake", Models);
                    Assert.True(answer.Last.TryGetProperty("end", out _), answer.Raw);
                }

                var stop = host.StopAsync();
                await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
                gate.Exit();
                released = true;
                await stop;
            }
            finally
            {
                if (!released)
                {
                    gate.Exit();
                }
            }

            await using var db = new SqliteConnection($"Data Source={host.Database};Mode=ReadOnly;Pooling=False");
            await db.OpenAsync();
            Assert.Equal(Calls, await CountAsync(db, "SELECT COUNT(*) FROM NetworkLog WHERE WindowId = $w AND Status = 200", card.WindowId));
            Assert.Equal(Calls, await CountAsync(db, "SELECT COUNT(*) FROM AuditEntries WHERE Action = 'secret.use' AND DetailJson LIKE $w", "%\"windowId\":\"" + card.WindowId + "\"%"));
            var chain = AuditChain.Verify(await ReadChainAsync(db));
            Assert.True(chain.IsValid, chain.Message);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Broker_RecordBacklogFull_Refuses503BusyAndSendsNothingUpstream()
    {
        var host = new BrokerHost(new Dictionary<string, string?> { ["Labyrinth:Broker:MaxPendingRecords"] = "3" });
        await host.InitializeAsync();
        try
        {
            var card = await host.CardAsync("fake");
            var gate = host.App.Services.GetRequiredService<SqliteWriteGate>();
            await gate.EnterAsync(CancellationToken.None);
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    await card.CallAsync("fake", Models);
                }

                var sentUpstream = host.Upstream.State.RequestCount;
                using var refused = await card.Client.PostAsJsonAsync(card.Url("fake"), Models);

                await Expect.ProblemAsync(HttpStatusCode.ServiceUnavailable, "broker.busy", refused);
                Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
                Assert.Equal(sentUpstream, host.Upstream.State.RequestCount);
            }
            finally
            {
                gate.Exit();
            }

            // Once the rows are written the broker admits calls again.
            var status = await Eventually.ReachAsync(async () =>
            {
                using var again = await card.Client.PostAsJsonAsync(card.Url("fake"), Models);
                return again.StatusCode;
            }, s => s == HttpStatusCode.OK, "the broker admitted a call after its backlog was written");
            Assert.Equal(HttpStatusCode.OK, status);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task AuditAppendInsideATransaction_WhileBrokerRowsWaitForTheDatabase_CompletesWithoutDeadlock()
    {
        var host = new BrokerHost(new Dictionary<string, string?>());
        await host.InitializeAsync();
        try
        {
            var card = await host.CardAsync("fake");
            var writeGate = host.App.Services.GetRequiredService<SqliteWriteGate>();
            await using var scope = host.App.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();

            // Like a role change: a transaction (the database's write gate) first, its audit entry inside it.
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                await card.CallAsync("fake", Models);
                await Eventually.TrueAsync(() => writeGate.Waiting >= 1, "the broker's writer waits for the database with the call's rows");

                // The writer must not hold the audit chain while it waits, or this append never gets it.
                await audit.AppendAsync("test", UserAuditActions.RoleChange, null, new { test = true }, CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(10));
                await tx.CommitAsync();
            }

            await using var read = new SqliteConnection($"Data Source={host.Database};Mode=ReadOnly;Pooling=False");
            await read.OpenAsync();
            await Eventually.TrueAsync(async () => await CountAsync(read, "SELECT COUNT(*) FROM NetworkLog WHERE WindowId = $w", card.WindowId) == 1,
                "the broker call's network-log row was written after the transaction");
            var chain = AuditChain.Verify(await ReadChainAsync(read));
            Assert.True(chain.IsValid, chain.Message);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(SqliteConnection db, string sql, string w)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$w", w);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<AuditEntry>> ReadChainAsync(SqliteConnection db)
    {
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT Sequence, AtUtc, Actor, Action, PluginId, DetailJson, PrevHash, Hash FROM AuditEntries ORDER BY Id";
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return entries;
    }
}
