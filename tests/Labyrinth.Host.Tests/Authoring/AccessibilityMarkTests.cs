using System.Net;
using System.Text;
using System.Text.Json;
using Labyrinth.Host.Tests.Governance;

namespace Labyrinth.Host.Tests.Authoring;

/// <summary>A package packed past the accessibility gate carries ACCESSIBILITY.json; the host reads it and shows a mark.</summary>
public sealed class AccessibilityMarkTests
{
    private const string Id = "com.example.marked";

    [Fact]
    public async Task Install_PackageWithAccessibilityMarker_AdminListAndCatalogShowTheMark()
    {
        await using var host = await GovernanceHost.StartAsync();
        var files = Packages.Plugin(Id, "1.0.0");
        files["ACCESSIBILITY.json"] = Encoding.UTF8.GetBytes("""{ "gate": "waived", "findings": [{ "rule": "image-alt" }, { "rule": "button-name" }] }""");

        using var response = await Packages.UploadAsync(host.Admin, Packages.Zip(Packages.Sign(files, host.Key)), false);

        await Expect.StatusAsync(HttpStatusCode.Created, response);
        var version = (await host.PluginAsync(Id)).GetProperty("versions")[0];
        Assert.Equal(2, version.GetProperty("accessibility").GetProperty("findings").GetInt32());
        var listed = (await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray().Single(p => p.Id() == Id);
        Assert.Equal(2, listed.GetProperty("accessibility").GetProperty("findings").GetInt32());
    }

    [Fact]
    public async Task Install_PackageWithoutMarker_HasNoMark()
    {
        await using var host = await GovernanceHost.StartAsync();

        await host.InstallOkAsync(Id, "1.0.0");

        Assert.False((await host.PluginAsync(Id)).GetProperty("versions")[0].TryGetProperty("accessibility", out _));
        var listed = (await host.Admin.GetJsonAsync("/api/plugins")).EnumerateArray().Single(p => p.Id() == Id);
        Assert.False(listed.TryGetProperty("accessibility", out _));
    }
}
