using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Tests.Cards;

namespace Labyrinth.Host.Tests.PluginData;

/// <summary>
/// Per-plugin key/value storage (<c>POST …/storage</c>): grants, scopes, limits, quota, optimistic
/// versions, and that neither a person nor a plugin ever reaches what is not theirs.
/// </summary>
public sealed class PluginStorageTests(PluginDataApp shared) : IClassFixture<PluginDataApp>
{
    private Task<HttpClient> PersonAsync() => shared.Cards.UserAsync();

    private static Task<Card> WriterAsync(HttpClient person, string pluginId = PluginDataApp.Notes) =>
        PluginDataApp.CardAsync(person, pluginId, "notes", "storage:read", "storage:write");

    [Fact]
    public async Task Set_ThenGet_ReturnsTheValueAtVersionOne()
    {
        var card = await WriterAsync(await PersonAsync());

        var written = await PluginDataApp.StoreOkAsync(card, new { op = "set", scope = "user", key = "layout", value = new { cols = 3 } });
        var read = await PluginDataApp.StoreOkAsync(card, new { op = "get", scope = "user", key = "layout" });

        Assert.Equal(1, written.GetProperty("version").GetInt64());
        Assert.Equal(3, read.GetProperty("value").GetProperty("cols").GetInt32());
        Assert.Equal(1, read.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Get_OfAKeyNeverSet_AnswersNothing()
    {
        var card = await WriterAsync(await PersonAsync());

        var read = await PluginDataApp.StoreOkAsync(card, new { op = "get", scope = "user", key = "missing" });

        Assert.True(read.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null);
    }

    [Fact]
    public async Task Get_WithoutTheReadGrant_IsForbidden()
    {
        var card = await PluginDataApp.CardAsync(await PersonAsync());

        using var response = await PluginDataApp.StoreAsync(card, new { op = "get", scope = "user", key = "k" });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "storage.not_granted", response);
    }

    [Fact]
    public async Task Set_FromACardThatRequestsOnlyRead_IsForbidden()
    {
        var card = await PluginDataApp.CardAsync(await PersonAsync(), PluginDataApp.Notes, "reader", "storage:read");

        using var response = await PluginDataApp.StoreAsync(card, new { op = "set", scope = "user", key = "k", value = 1 });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "storage.not_granted", response);
    }

    [Fact]
    public async Task Set_WithAStaleIfVersion_IsAVersionConflictAndKeepsTheNewerValue()
    {
        var card = await WriterAsync(await PersonAsync());
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "doc", value = "first" });
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "doc", value = "second", ifVersion = 1 });

        // A second tab that read version 1 writes over it.
        using var stale = await PluginDataApp.StoreAsync(card, new { op = "set", key = "doc", value = "stale", ifVersion = 1 });

        var problem = await Expect.ProblemAsync(HttpStatusCode.Conflict, "storage.version_conflict", stale);
        Assert.Equal(2, problem.GetProperty("version").GetInt64());
        var read = await PluginDataApp.StoreOkAsync(card, new { op = "get", key = "doc" });
        Assert.Equal("second", read.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Set_WithIfVersionZeroOnAnExistingKey_IsAVersionConflict()
    {
        var card = await WriterAsync(await PersonAsync());
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "once", value = 1, ifVersion = 0 });

        using var again = await PluginDataApp.StoreAsync(card, new { op = "set", key = "once", value = 2, ifVersion = 0 });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "storage.version_conflict", again);
    }

    [Fact]
    public async Task Delete_WithAStaleVersion_IsAConflict_AndWithTheCurrentOneRemovesTheKey()
    {
        var card = await WriterAsync(await PersonAsync());
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "gone", value = 1 });
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "gone", value = 2 });

        using var stale = await PluginDataApp.StoreAsync(card, new { op = "delete", key = "gone", ifVersion = 1 });
        await Expect.ProblemAsync(HttpStatusCode.Conflict, "storage.version_conflict", stale);
        var deleted = await PluginDataApp.StoreOkAsync(card, new { op = "delete", key = "gone", ifVersion = 2 });

        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        var read = await PluginDataApp.StoreOkAsync(card, new { op = "get", key = "gone" });
        Assert.True(read.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null);
    }

    [Fact]
    public async Task Set_OfManyKeysAtOnce_NeverStoresMoreThanTheQuota()
    {
        // Each write alone fits, any two do not: racing, they must not all see the usage before
        // the others committed (PostgreSQL read committed let all eight in).
        var card = await WriterAsync(await PersonAsync());
        var big = new string('x', 3000);

        var writes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PluginDataApp.StoreAsync(card, new { op = "set", key = $"race{i}", value = big })));

        try
        {
            Assert.Equal(1, writes.Count(w => w.StatusCode == HttpStatusCode.OK));
            foreach (var refused in writes.Where(w => w.StatusCode != HttpStatusCode.OK))
            {
                await Expect.ProblemAsync(HttpStatusCode.BadRequest, "storage.quota_exceeded", refused);
            }
        }
        finally
        {
            foreach (var write in writes)
            {
                write.Dispose();
            }
        }

        var listed = await PluginDataApp.StoreOkAsync(card, new { op = "list", prefix = "race" });
        Assert.Single(listed.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task Set_OverTheQuota_IsRefusedAndWritesNothing()
    {
        var card = await WriterAsync(await PersonAsync());
        var big = new string('x', 3000);
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "a", value = big });

        using var over = await PluginDataApp.StoreAsync(card, new { op = "set", key = "b", value = big });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "storage.quota_exceeded", over);
        Assert.Equal(PluginDataApp.QuotaBytes, problem.GetProperty("quotaBytes").GetInt64());
        var list = await PluginDataApp.StoreOkAsync(card, new { op = "list", prefix = "" });
        Assert.Equal(["a"], list.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Quota_IsPerPerson_InTheUserScope()
    {
        var big = new string('x', 3000);
        var first = await WriterAsync(await PersonAsync());
        var second = await WriterAsync(await PersonAsync());
        await PluginDataApp.StoreOkAsync(first, new { op = "set", key = "a", value = big });

        // The first person's bytes do not count against the second's.
        await PluginDataApp.StoreOkAsync(second, new { op = "set", key = "a", value = big });
    }

    [Fact]
    public async Task Set_OfAValueOver256KiB_IsTooLarge()
    {
        var card = await WriterAsync(await PersonAsync());

        using var response = await PluginDataApp.StoreAsync(card, new { op = "set", key = "huge", value = new string('x', 256 * 1024) });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "storage.too_large", response);
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    [InlineData("x257")]
    public async Task Set_WithAKeyThatIsNotOne_IsInvalid(string key)
    {
        var card = await WriterAsync(await PersonAsync());
        var actual = key == "x257" ? new string('k', 257) : key;

        using var response = await PluginDataApp.StoreAsync(card, new { op = "set", key = actual, value = 1 });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "storage.invalid", response);
    }

    [Fact]
    public async Task UserScope_OfAnotherPerson_IsNeverReadNorListed()
    {
        var alice = await WriterAsync(await PersonAsync());
        var bob = await WriterAsync(await PersonAsync());
        await PluginDataApp.StoreOkAsync(alice, new { op = "set", key = "diary", value = "private" });

        var read = await PluginDataApp.StoreOkAsync(bob, new { op = "get", key = "diary" });
        var list = await PluginDataApp.StoreOkAsync(bob, new { op = "list", prefix = "" });

        Assert.True(read.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null);
        Assert.Empty(list.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task ACard_OnAnotherPersonsBoard_CannotReachTheirStorage()
    {
        var alice = await WriterAsync(await PersonAsync());
        var mallory = await PersonAsync();

        using var response = await mallory.PostAsJsonAsync(alice.Url("/storage"), new { op = "get", key = "diary" });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task AnotherPlugin_WithTheSameKey_NeverSeesThisPluginsValue()
    {
        var person = await PersonAsync();
        var notes = await WriterAsync(person);
        var other = await WriterAsync(person, PluginDataApp.Other);
        await PluginDataApp.StoreOkAsync(notes, new { op = "set", key = "shared-name", value = "notes' own" });

        var read = await PluginDataApp.StoreOkAsync(other, new { op = "get", key = "shared-name" });
        // A body naming another plugin changes nothing: the plugin comes from the card.
        var spoofed = await PluginDataApp.StoreOkAsync(other, new { op = "get", key = "shared-name", pluginId = PluginDataApp.Notes });

        Assert.True(read.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null);
        Assert.True(spoofed.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null);
    }

    [Fact]
    public async Task WorkspaceWrite_WithoutTheAdminsGrant_IsForbidden_AndWithItIsSharedByEveryone()
    {
        var alice = await PluginDataApp.CardAsync(await PersonAsync(), PluginDataApp.Notes, "notes", "storage:read", "storage:write", "storage:workspace-write");
        var bob = await WriterAsync(await PersonAsync());

        using (var refused = await PluginDataApp.StoreAsync(alice, new { op = "set", scope = "workspace", key = "motd", value = "hi" }))
        {
            await Expect.ProblemAsync(HttpStatusCode.Forbidden, "storage.not_granted", refused);
        }

        await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:workspace-write", true);
        try
        {
            await PluginDataApp.StoreOkAsync(alice, new { op = "set", scope = "workspace", key = "motd", value = "hello all" });
            var read = await PluginDataApp.StoreOkAsync(bob, new { op = "get", scope = "workspace", key = "motd" });
            Assert.Equal("hello all", read.GetProperty("value").GetString());
            // The admin's grant covers every card of the plugin whose manifest requests it, not one person's.
            using var bobWrites = await PluginDataApp.StoreAsync(bob, new { op = "set", scope = "workspace", key = "motd", value = "mine" });
            Assert.Equal(HttpStatusCode.OK, bobWrites.StatusCode);
        }
        finally
        {
            await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:workspace-write", false);
        }
    }

    [Fact]
    public async Task List_WithAPrefix_ListsOnlyItsKeysInOrder()
    {
        var card = await WriterAsync(await PersonAsync());
        foreach (var key in new[] { "notes/b", "notes/a", "other", "notes%" })
        {
            await PluginDataApp.StoreOkAsync(card, new { op = "set", key, value = key });
        }

        var list = await PluginDataApp.StoreOkAsync(card, new { op = "list", prefix = "notes/" });

        Assert.Equal(["notes/a", "notes/b"], list.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task ServiceStorage_NeedsTheAdminsGrant_AndKeepsThePersonsUserScope()
    {
        var alice = await PersonAsync();
        var bob = await PersonAsync();
        var url = $"/api/apps/{PluginDataApp.Notes}/storage";
        using (var refused = await alice.PostAsJsonAsync(url, new { op = "get", key = "k" }))
        {
            await Expect.ProblemAsync(HttpStatusCode.Forbidden, "storage.not_granted", refused);
        }

        await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:read", true);
        await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:write", true);
        try
        {
            using (var set = await alice.PostAsJsonAsync(url, new { op = "set", key = "k", value = "alice's" }))
            {
                await Expect.StatusAsync(HttpStatusCode.OK, set);
            }

            using var bobReads = await bob.PostAsJsonAsync(url, new { op = "get", key = "k" });
            await Expect.StatusAsync(HttpStatusCode.OK, bobReads);
            Assert.Equal("", await bobReads.Content.ReadAsStringAsync());
            // What the service wrote is the card's too: the same plugin, the same person.
            var card = await WriterAsync(alice);
            var read = await PluginDataApp.StoreOkAsync(card, new { op = "get", key = "k" });
            Assert.Equal("alice's", read.GetProperty("value").GetString());
        }
        finally
        {
            await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:read", false);
            await shared.SetPluginGrantAsync(PluginDataApp.Notes, "storage:write", false);
        }
    }

    [Fact]
    public async Task Usage_ShowsEachScopesBytesToTheAdmin()
    {
        var card = await WriterAsync(await PersonAsync(), PluginDataApp.Other);
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "abc", value = "xyz" });

        var usage = await shared.Admin.GetJsonAsync($"/api/admin/plugins/{PluginDataApp.Other}/storage");

        Assert.True(usage.GetProperty("userBytes").GetInt64() >= 8);
        Assert.Equal(PluginDataApp.QuotaBytes, usage.GetProperty("quotaBytes").GetInt64());
    }

    [Theory]
    [InlineData("keep", 1)]
    [InlineData("delete", 0)]
    public async Task Uninstall_KeepsOrDeletesTheData_AsTheAdminChose(string data, int rowsLeft)
    {
        var id = "dev.test.gone" + data;
        using (var installed = await shared.Cards.InstallPackageAsync(PluginDataApp.Package(PluginDataApp.Manifest(id))))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, installed);
        }

        var card = await WriterAsync(await PersonAsync(), id);
        await PluginDataApp.StoreOkAsync(card, new { op = "set", key = "k", value = 1 });

        using (var removed = await shared.Admin.DeleteAsync($"/api/admin/plugins/{id}?data={data}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, removed);
        }

        Assert.Equal(rowsLeft, await shared.Cards.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.PluginStorage, i => i.PluginId == id)));
    }
}
