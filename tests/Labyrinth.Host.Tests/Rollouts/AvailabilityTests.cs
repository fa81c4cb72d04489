using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Core.Errors;
using Labyrinth.Host.Tests.Governance;
using static Labyrinth.Host.Tests.Rollouts.RolloutHost;

namespace Labyrinth.Host.Tests.Rollouts;

/// <summary>Groups and per-group availability: who sees, spawns and runs a limited plugin.</summary>
public sealed class AvailabilityTests
{
    private static object Spawn(string pluginId = PluginId) => new { kind = "plugin", plugin = new { pluginId, typeID = "t" } };

    [Fact]
    public async Task PluginList_MemberOutsideTheGroups_LeavesThePluginOut()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (inside, insideId) = await MemberAsync(host, "ines");
        var (outside, _) = await MemberAsync(host, "otto");
        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots", insideId));

        Assert.Equal("1.0.0", await OfferedVersionAsync(inside));
        Assert.Null(await OfferedVersionAsync(outside));
    }

    [Fact]
    public async Task PluginList_MemberAddedToTheGroup_ListsThePlugin()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, memberId) = await MemberAsync(host, "mara");
        var group = await GroupAsync(host, "Pilots");
        await LimitAsync(host, PluginId, group);
        Assert.Null(await OfferedVersionAsync(member));

        await AddMemberAsync(host, group, memberId);

        Assert.Equal("1.0.0", await OfferedVersionAsync(member));
    }

    [Fact]
    public async Task Spawn_MemberOutsideTheGroups_Refused403NotAvailable()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (outside, _) = await MemberAsync(host, "otto");
        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots"));
        var board = await LabyrinthApp.CreateBoardAsync(outside);

        using var response = await outside.SendJsonAsync(HttpMethod.Post, $"/api/boards/{board.Id()}/windows", Spawn(), board.ETag());

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PluginNotAvailable, response);
    }

    [Fact]
    public async Task CardRoutes_PluginLimitedAwayFromTheOwner_RefuseUseButKeepPermissionsReadable()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "otto");
        var board = await LabyrinthApp.CreateBoardAsync(member);
        var (_, window) = await Boards.SpawnAsync(member, board, Spawn());
        var card = $"/api/cards/{board.Id()}/{window.Id()}";

        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots"));

        using (var payload = await member.GetAsync($"/api/boards/{board.Id()}/windows/{window.Id()}/payload"))
        {
            await Expect.ProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PluginNotAvailable, payload);
        }

        using (var write = await member.PutAsJsonAsync($"/api/boards/{board.Id()}/windows/{window.Id()}/payload", new { payload = new { n = 1 } }))
        {
            await Expect.ProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PluginNotAvailable, write);
        }

        using (var grant = await member.PostAsJsonAsync($"{card}/grants", new { capability = "crossCard:pubsub" }))
        {
            await Expect.ProblemAsync(HttpStatusCode.Forbidden, ErrorCodes.PluginNotAvailable, grant);
        }

        using var permissions = await member.GetAsync($"{card}/permissions");
        await Expect.StatusAsync(HttpStatusCode.OK, permissions);
    }

    [Fact]
    public async Task Availability_NullGroups_MakesThePluginAvailableToEveryoneAgain()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "otto");
        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots"));
        Assert.Null(await OfferedVersionAsync(member));

        await LimitAsync(host, PluginId, null);

        Assert.Equal("1.0.0", await OfferedVersionAsync(member));
    }

    [Fact]
    public async Task DeleteGroup_OnlyGroupOfALimitedPlugin_KeepsItLimitedToNobody()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, memberId) = await MemberAsync(host, "mara");
        var group = await GroupAsync(host, "Pilots", memberId);
        await LimitAsync(host, PluginId, group);

        using var deleted = await host.Admin.DeleteAsync($"/api/admin/groups/{group}");

        await Expect.StatusAsync(HttpStatusCode.NoContent, deleted);
        Assert.Null(await OfferedVersionAsync(member));
        var availability = (await host.Admin.GetJsonAsync($"/api/admin/plugins/{PluginId}/rollout")).GetProperty("availability").GetProperty("groups");
        Assert.Equal(0, availability.GetArrayLength());
    }

    [Fact]
    public async Task Availability_UnknownGroup_Refused400WithoutChange()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");

        using var response = await host.Admin.PutAsJsonAsync($"/api/admin/plugins/{PluginId}/availability", new { groups = new[] { Guid.NewGuid() } });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.GroupNotFound, response);
        var availability = (await host.Admin.GetJsonAsync($"/api/admin/plugins/{PluginId}/rollout")).GetProperty("availability");
        Assert.Equal(JsonValueKind.Null, availability.GetProperty("groups").ValueKind);
    }

    [Fact]
    public async Task Groups_DuplicateName_Refused409()
    {
        await using var host = await GovernanceHost.StartAsync();
        await GroupAsync(host, "Pilots");

        using var again = await host.Admin.PostAsJsonAsync("/api/admin/groups", new { name = "  pilots " });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, ErrorCodes.GroupNameTaken, again);
    }

    [Fact]
    public async Task Groups_Changes_AreAudited()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (_, memberId) = await MemberAsync(host, "mara");
        var group = await GroupAsync(host, "Pilots", memberId);
        await LimitAsync(host, PluginId, group);
        using (await host.Admin.DeleteAsync($"/api/admin/groups/{group}/members/{memberId}"))
        {
        }

        Assert.Single(await AuditAsync(host, "group.create"));
        Assert.Single(await AuditAsync(host, "group.member_add"));
        Assert.Single(await AuditAsync(host, "group.member_remove"));
        var availability = Assert.Single(await AuditAsync(host, "plugin.availability"));
        Assert.Equal(group, availability.GetProperty("detail").GetProperty("groups")[0].GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Groups_MemberCannotManageGroups_Refused403()
    {
        await using var host = await GovernanceHost.StartAsync();
        var (member, _) = await MemberAsync(host, "mara");

        using var response = await member.PostAsJsonAsync("/api/admin/groups", new { name = "Mine" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
