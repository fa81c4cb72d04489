using System.Reflection;
using Labyrinth.Host.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>The one list of PostgreSQL advisory lock keys.</summary>
public sealed class AdvisoryLockKeysTests
{
    [Fact]
    public void Keys_EveryLockTheHostTakes_AreDistinct()
    {
        var keys = typeof(AdvisoryLockKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.Name, Key: (long)f.GetRawConstantValue()!)).ToList();

        var shared = keys.GroupBy(k => k.Key).Where(g => g.Count() > 1).Select(g => string.Join(" and ", g.Select(k => k.Name))).ToList();

        Assert.True(keys.Count >= 5, $"expected every lock key in the list, found {keys.Count}");
        Assert.Empty(shared);
    }

    [Fact]
    public void TransactionLocks_EachOne_IsAKeyOfTheList()
    {
        var listed = typeof(AdvisoryLockKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (long)f.GetRawConstantValue()!).ToHashSet();

        var unlisted = Enum.GetValues<TransactionLock>().Where(l => !listed.Contains((long)l)).ToList();

        Assert.Empty(unlisted);
    }

    // Two plugin ids a plugin author can find in a second (a birthday search over 32 bits): the
    // first 32 bits of SHA-256 of their workspace quota names are the same (0x6420a163).
    private const string QuotaOfOne = "com.example.p40455\nworkspace\n00000000000000000000000000000000";
    private const string QuotaOfOther = "com.example.p80637\nworkspace\n00000000000000000000000000000000";

    [Fact]
    public void NamedKey_NamesWhoseDigestsShareTheirFirst32Bits_AreDifferentLocks()
    {
        var first = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(QuotaOfOne))[..4];
        var second = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(QuotaOfOther))[..4];
        Assert.Equal(first, second);

        Assert.NotEqual(TransactionLocks.NamedKey(TransactionLock.PluginStorageQuota, QuotaOfOne), TransactionLocks.NamedKey(TransactionLock.PluginStorageQuota, QuotaOfOther));
    }

    [Fact]
    public async Task PluginStorageQuotaLock_HeldForOnePlugin_DoesNotHoldAPluginWhoseNameWasChosenToCollide()
    {
        Assert.SkipUnless(TestDatabase.IsPostgres, "PostgreSQL advisory locks; SQLite has one writer at a time");
        await using var app = LabyrinthApp.WithoutPlugins();
        using var client = await app.CreateClientAsync();
        await using var holderScope = app.Services.CreateAsyncScope();
        await using var waiterScope = app.Services.CreateAsyncScope();
        var holder = holderScope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        var waiter = waiterScope.ServiceProvider.GetRequiredService<LabyrinthDb>();

        await using var held = await holder.Database.BeginTransactionAsync();
        await TransactionLocks.TakeAsync(holder, TransactionLock.PluginStorageQuota, QuotaOfOne, CancellationToken.None);
        await using var waiting = await waiter.Database.BeginTransactionAsync();
        var pid = await waiter.Database.SqlQuery<int>($"SELECT pg_backend_pid() AS \"Value\"").SingleAsync();
        var take = TransactionLocks.TakeAsync(waiter, TransactionLock.PluginStorageQuota, QuotaOfOther, CancellationToken.None);

        // Either the lock is granted, or the server shows the waiter blocked on the holder's lock.
        using var probe = app.Services.CreateScope();
        var observer = probe.ServiceProvider.GetRequiredService<LabyrinthDb>();
        bool granted;
        try
        {
            await Eventually.TrueAsync(
                async () => take.IsCompleted || await observer.Database
                    .SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE pid = {pid} AND locktype = 'advisory' AND NOT granted")
                    .SingleAsync() > 0,
                "the second plugin's quota lock granted, or its writer waiting");
            granted = take.IsCompleted;
        }
        finally
        {
            await held.RollbackAsync();
            await take;
        }

        Assert.True(granted, "the second plugin's quota write waited for the first plugin's lock");
    }
}
