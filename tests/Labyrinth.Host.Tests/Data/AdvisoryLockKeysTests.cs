using System.Reflection;
using Labyrinth.Host.Data;

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
}
