using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Authoring;

/// <summary>POST /api/admin/plugins/dev: what <c>labyrinth plugin dev</c> uploads on every save.</summary>
public sealed class DevInstallTests
{
    private const string Id = "com.example.dice";

    private static async Task<HttpResponseMessage> DevUploadAsync(HttpClient client, string version, bool signedBy = false, GovernanceHost? host = null)
    {
        var files = Packages.Plugin(Id, version);
        var content = new ByteArrayContent(Packages.Zip(signedBy ? Packages.Sign(files, host!.Key) : files));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync("/api/admin/plugins/dev", content);
    }

    [Fact]
    public async Task DevInstall_UnsignedDevVersionOnLoopbackHost_InstalledActiveWithDevStatus()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");

        using var response = await DevUploadAsync(host.Admin, "1.0.0-dev.1");

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var plugin = await host.PluginAsync(Id);
        Assert.Equal("1.0.0-dev.1", plugin.GetProperty("activeVersion").GetString());
        var dev = plugin.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == "1.0.0-dev.1");
        Assert.Equal("dev", dev.GetProperty("signature").GetProperty("status").GetString());
        var listed = (await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray().Single(p => p.Id() == Id);
        Assert.Equal("dev", listed.GetProperty("signature").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DevInstall_ReleaseVersion_RefusedDevVersionRequired()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await DevUploadAsync(host.Admin, "1.0.0");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "plugin.dev_version_required", response);
        Assert.Empty(await host.Admin.GetJsonAsync("/api/admin/plugins") is { } list ? list.EnumerateArray().ToArray() : []);
    }

    [Fact]
    public async Task Upload_UnsignedDevVersionThroughTheReleasePath_StillRefusedUnderStrict()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Plugin(Id, "1.0.0-dev.1")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("signature.missing", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevInstall_SwitchedOff_Refused403AndPolicySaysWhy()
    {
        await using var host = await GovernanceHost.StartAsync(new Dictionary<string, string?> { ["Labyrinth:Plugins:AllowDevInstalls"] = "false" });

        using var response = await DevUploadAsync(host.Admin, "1.0.0-dev.1");

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "plugin.dev_installs_off", response);
        var policy = await host.Admin.GetJsonAsync("/api/admin/policy");
        Assert.False(policy.GetProperty("devInstalls").GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task DevInstall_FiveSaves_KeepsTheNewestThreeDevVersions()
    {
        await using var host = await GovernanceHost.StartAsync();

        for (var n = 1; n <= 5; n++)
        {
            using var response = await DevUploadAsync(host.Admin, $"0.1.0-dev.{n}");
            await Expect.StatusAsync(HttpStatusCode.Created, response);
        }

        var versions = (await host.PluginAsync(Id)).GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["0.1.0-dev.3", "0.1.0-dev.4", "0.1.0-dev.5"], versions);
        Assert.False(Directory.Exists(Path.Combine(host.DataDir, "plugins", Id, "0.1.0-dev.1")));
    }

    [Fact]
    public async Task DevInstall_Member_Forbidden()
    {
        await using var host = await GovernanceHost.StartAsync();
        var member = await host.App.CreateMemberAsync("maker", host.Admin);

        using var response = await DevUploadAsync(member, "1.0.0-dev.1");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task CardUpgrade_ReleaseCardAfterDevInstall_MovesToTheDevVersion()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        var board = await LabyrinthApp.CreateBoardAsync(host.Admin);
        var (_, window) = await Boards.SpawnAsync(host.Admin, board, new { kind = "plugin", plugin = new { pluginId = Id, version = "1.0.0", typeID = "t" } });
        using (var dev = await DevUploadAsync(host.Admin, "1.0.0-dev.1"))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, dev);
        }

        // 1.0.0-dev.1 sorts before 1.0.0, yet it is what the author just saved: the open card moves to it.
        using var moved = await host.Admin.PostAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/upgrade", new { version = "1.0.0-dev.1" });

        await Expect.StatusAsync(HttpStatusCode.OK, moved);
        var after = (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("windows").EnumerateArray().Single(w => w.Id() == window.Id());
        Assert.Equal("1.0.0-dev.1", after.GetProperty("plugin").GetProperty("version").GetString());
    }

    [Fact]
    public async Task CardUpgrade_ReleaseRolledBack_CardFollowsAndTheNewerReleaseIsNotOnOffer()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(Id, "1.0.0");
        await host.InstallOkAsync(Id, "1.1.0");
        var board = await LabyrinthApp.CreateBoardAsync(host.Admin);
        var (_, window) = await Boards.SpawnAsync(host.Admin, board, new { kind = "plugin", plugin = new { pluginId = Id, version = "1.1.0", typeID = "t" } });
        using (var rollback = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{Id}/activate", new { version = "1.0.0", rollback = true }))
        {
            Assert.True(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());
        }

        // The card follows everyone back to 1.0.0 (asking for that is a no-op that shows it) …
        using (var followed = await host.Admin.PostAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/upgrade", new { version = "1.0.0" }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, followed);
            var after = (await followed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("windows").EnumerateArray().Single(w => w.Id() == window.Id());
            Assert.Equal("1.0.0", after.GetProperty("plugin").GetProperty("version").GetString());
        }

        // … and the release it left is not offered again while it is not the active one.
        using var up = await host.Admin.PostAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/upgrade", new { version = "1.1.0" });

        await Expect.ProblemAsync(HttpStatusCode.Conflict, "card.upgrade_unavailable", up);
    }

    [Fact]
    public async Task DevBuildFailed_LoopbackHost_Accepted()
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/dev/{Id}/build-failed", new { message = "src/Dice.svelte:3:1 Unexpected token" });

        await Expect.StatusAsync(HttpStatusCode.NoContent, response);
    }

    [Fact]
    public async Task DevBuildFailed_SwitchedOff_Refused403()
    {
        await using var host = await GovernanceHost.StartAsync(new Dictionary<string, string?> { ["Labyrinth:Plugins:AllowDevInstalls"] = "false" });

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/dev/{Id}/build-failed", new { message = "x" });

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "plugin.dev_installs_off", response);
    }

    [Theory]
    [InlineData(Id, "")]
    [InlineData("Not An Id", "boom")]
    public async Task DevBuildFailed_BadRequest_RefusedWithReason(string id, string message)
    {
        await using var host = await GovernanceHost.StartAsync();

        using var response = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/dev/{Uri.EscapeDataString(id)}/build-failed", new { message });

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "request.invalid", response);
    }

    [Fact]
    public async Task DevBuildFailed_Member_Forbidden()
    {
        await using var host = await GovernanceHost.StartAsync();
        var member = await host.App.CreateMemberAsync("maker", host.Admin);

        using var response = await member.PostAsJsonAsync($"/api/admin/plugins/dev/{Id}/build-failed", new { message = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
