using System.Text.Json;
using Labyrinth.Core.Storage;

namespace Labyrinth.Core.Tests.Storage;

public sealed class StorageLimitsVectorTests
{
    [Fact]
    public void StorageRules_Limits_MatchTheSharedVectorTheSdkChecksBeforeSending()
    {
        var storage = Vector().GetProperty("storage");

        Assert.Equal(StorageRules.MaxKeyChars, storage.GetProperty("maxKeyChars").GetInt32());
        Assert.Equal(StorageRules.MaxValueBytes, storage.GetProperty("maxValueBytes").GetInt32());
        Assert.Equal(StorageRules.MaxListEntries, storage.GetProperty("maxListEntries").GetInt32());
    }

    /// <summary>tests/vectors/card-limits.json: the SDK's STORAGE_LIMITS are tested against the same file.</summary>
    private static JsonElement Vector()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "vectors", "card-limits.json")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "tests", "vectors", "card-limits.json"))).RootElement.Clone();
    }
}
