using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Tests.Governance;
using Microsoft.Extensions.DependencyInjection;
using static Labyrinth.Host.Tests.Rollouts.RolloutHost;

namespace Labyrinth.Host.Tests.Rollouts;

/// <summary>
/// Capability URLs on card origins: plugin files and frames are served only under a token the host
/// minted for this person, this plugin version and their current access, and nothing else.
/// </summary>
public sealed class CardCapabilityTests
{
    private const string Entry = "cards/t.js";

    /// <summary>The card's entry URL this person's catalogue lists, split into (Host header, path).</summary>
    private static async Task<(string Host, string Path)?> EntryOfAsync(HttpClient client, string version = "1.0.0")
    {
        var plugin = (await client.GetJsonAsync("/api/plugins")).EnumerateArray().SingleOrDefault(p => p.Id() == PluginId);
        if (plugin.ValueKind != JsonValueKind.Object || !plugin.GetProperty("cardBases").TryGetProperty(version, out var cardBase))
        {
            return null;
        }

        var url = new Uri(cardBase.GetString() + $"/plugins/{PluginId}/{version}/{Entry}");
        return (url.Authority, url.AbsolutePath);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, (string Host, string Path) at)
    {
        using var response = await client.GetRawOnOriginAsync(at.Host, at.Path);
        return response.StatusCode;
    }

    private static string Host(HttpClient client, string version = "1.0.0") => CardSites.HostFor(client, PluginId, version);

    [Fact]
    public async Task PluginFile_CatalogueUrl_IsServedToItsPerson()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");

        var entry = await EntryOfAsync(member);

        Assert.NotNull(entry);
        Assert.StartsWith($"/{CardCapabilities.Segment}/", entry.Value.Path, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, entry.Value));
    }

    [Theory]
    [InlineData("/plugins/com.example.staged/1.0.0/cards/t.js")]
    [InlineData("/cards/frame/com.example.staged/1.0.0/t")]
    [InlineData("/cap//plugins/com.example.staged/1.0.0/cards/t.js")]
    [InlineData("/cap/short/plugins/com.example.staged/1.0.0/cards/t.js")]
    [InlineData("/cap/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/plugins/com.example.staged/1.0.0/cards/t.js")]
    [InlineData("/cap/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/cards/frame/com.example.staged/1.0.0/t")]
    [InlineData("/cap/!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!/plugins/com.example.staged/1.0.0/cards/t.js")]
    public async Task PluginSurface_WithoutAValidToken_Returns404(string path)
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");

        using var response = await host.Admin.GetRawOnOriginAsync(Host(host.Admin), path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("token", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PluginFile_ForgedMac_Returns404()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");
        var entry = (await EntryOfAsync(member))!.Value;
        var token = entry.Path.Split('/')[2];

        // Flip one bit of the MAC half: the sealed user id stays valid, the signature does not.
        var last = token[^2] == 'A' ? 'B' : 'A';
        var forged = token[..^2] + last + token[^1];

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, (entry.Host, entry.Path.Replace(token, forged, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task PluginFile_AnotherVersionsToken_Returns404()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (member, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var forOne = host.App.Services.GetRequiredService<CardCapabilities>().Prefix(memberId, plugin, "1.0.0");

        // 2.0.0 lives on its own card origin; the token signed for 1.0.0 must not open it there either.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, (Host(member, "1.0.0"), $"{forOne}/plugins/{PluginId}/1.0.0/{Entry}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, (Host(member, "2.0.0"), $"{forOne}/plugins/{PluginId}/2.0.0/{Entry}")));
    }

    [Fact]
    public async Task PluginFile_NewerVersionNotAssigned_NoUrlAndMintedTokenRefused()
    {
        await using var host = await GovernanceHost.StartAsync();
        await InstallTwoVersionsAsync(host);
        var (member, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;

        // The active version is 1.0.0: 2.0.0 is not this person's, so the page gets no URL for it,
        // and even a correctly signed token for it is refused.
        Assert.Null(await EntryOfAsync(member, "2.0.0"));
        var forTwo = host.App.Services.GetRequiredService<CardCapabilities>().Prefix(memberId, plugin, "2.0.0");
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, (Host(member, "2.0.0"), $"{forTwo}/plugins/{PluginId}/2.0.0/{Entry}")));
    }

    [Fact]
    public async Task PluginFile_MemberOutsideTheGroups_Returns404EvenWithTheirOwnToken()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (inside, insideId) = await MemberAsync(host, "ines");
        var (outside, outsideId) = await MemberAsync(host, "otto");
        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots", insideId));
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();

        Assert.Null(await EntryOfAsync(outside));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(inside, (Host(inside), $"{capabilities.Prefix(insideId, plugin, "1.0.0")}/plugins/{PluginId}/1.0.0/{Entry}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(outside, (Host(outside), $"{capabilities.Prefix(outsideId, plugin, "1.0.0")}/plugins/{PluginId}/1.0.0/{Entry}")));
    }

    [Fact]
    public async Task PluginFile_AnotherPersonsUserPartWithTheirMac_Returns404()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (inside, insideId) = await MemberAsync(host, "ines");
        var (outside, outsideId) = await MemberAsync(host, "otto");
        await LimitAsync(host, PluginId, await GroupAsync(host, "Pilots", insideId));
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();
        var insideToken = capabilities.Token(insideId, plugin, "1.0.0");
        var outsideToken = capabilities.Token(outsideId, plugin, "1.0.0");

        // Otto's sealed id with Ines's MAC, and the other way round: the MAC binds the person.
        var spliced = new[] { outsideToken[..22] + insideToken[22..], insideToken[..22] + outsideToken[22..] };

        foreach (var token in spliced)
        {
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(outside, (Host(outside), $"/cap/{token}/plugins/{PluginId}/1.0.0/{Entry}")));
        }
    }

    [Fact]
    public async Task PluginFile_AvailabilityChanged_OldUrlStopsWorkingNewOneServes()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, memberId) = await MemberAsync(host, "mara");
        var pilots = await GroupAsync(host, "Pilots", memberId);
        await LimitAsync(host, PluginId, pilots);
        var before = (await EntryOfAsync(member))!.Value;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, before));

        // Still available to her (through Pilots), but the plugin's availability changed: the epoch moved on.
        await LimitAsync(host, PluginId, pilots, await GroupAsync(host, "Crew"));
        var after = (await EntryOfAsync(member))!.Value;

        Assert.NotEqual(before.Path, after.Path);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, before));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, after));
    }

    [Fact]
    public async Task PluginFile_MemberRemovedFromTheGroup_TheirUrlStopsWorking()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, memberId) = await MemberAsync(host, "mara");
        var pilots = await GroupAsync(host, "Pilots", memberId);
        await LimitAsync(host, PluginId, pilots);
        var entry = (await EntryOfAsync(member))!.Value;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, entry));

        using (var removed = await host.Admin.DeleteAsync($"/api/admin/groups/{pilots}/members/{memberId}"))
        {
            Assert.True(removed.IsSuccessStatusCode, $"removing the member answered {removed.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, entry));
    }

    [Fact]
    public async Task PluginFile_UnrelatedGroupChange_KeepsTheUrl()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, memberId) = await MemberAsync(host, "mara");
        var before = (await EntryOfAsync(member))!.Value;

        // A group that has nothing to do with this plugin: her cached files stay valid.
        await GroupAsync(host, "Readers", memberId);

        Assert.Equal(before.Path, (await EntryOfAsync(member))!.Value.Path);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, before));
    }

    [Fact]
    public async Task PluginFile_PluginDisabled_Returns404()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");
        var entry = (await EntryOfAsync(member))!.Value;

        using (var disabled = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/disable", new { }))
        {
            Assert.True(disabled.IsSuccessStatusCode, $"disable answered {disabled.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, entry));
    }

    [Fact]
    public async Task PluginFile_PluginDisabledAfterItsUrlWasServed_Returns404()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");
        var entry = (await EntryOfAsync(member))!.Value;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, entry)); // verified once: the token is cached

        using (var disabled = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/disable", new { }))
        {
            Assert.True(disabled.IsSuccessStatusCode, $"disable answered {disabled.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(member, entry));
    }

    [Fact]
    public async Task PluginFile_PluginKilledAfterItsUrlWasServed_Returns410()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");
        var entry = (await EntryOfAsync(member))!.Value;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(member, entry));

        using (var killed = await host.Admin.PostAsJsonAsync($"/api/admin/plugins/{PluginId}/kill", new { reason = "test" }))
        {
            Assert.True(killed.IsSuccessStatusCode, $"kill answered {killed.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.Gone, await StatusAsync(member, entry));
    }

    [Fact]
    public async Task Verify_SameTokenAgain_IsAnsweredWithoutTheFullCheck()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (_, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();
        var token = capabilities.Token(memberId, plugin, "1.0.0");
        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));
        var full = capabilities.FullChecks;

        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));

        Assert.Equal(full, capabilities.FullChecks);
    }

    [Fact]
    public async Task Verify_EveryOneCharacterForgeryOfACachedToken_IsRefusedByTheFullCheck()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (_, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();
        var token = capabilities.Token(memberId, plugin, "1.0.0");
        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));

        for (var i = 0; i < token.Length; i++)
        {
            // A neighbour in the base64url alphabet that decodes to different bytes (the last
            // character of each half carries 2 data bits over 4 zero padding bits: step by 16 there).
            var step = i == 21 || i == 43 ? 16 : 1;
            var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            var forged = token[..i] + alphabet[(alphabet.IndexOf(token[i], StringComparison.Ordinal) + step) % 64] + token[(i + 1)..];
            var full = capabilities.FullChecks;

            Assert.Null(capabilities.Verify(forged, plugin, "1.0.0"));
            Assert.Equal(full + 1, capabilities.FullChecks);
        }
    }

    [Fact]
    public async Task Verify_TokenWithNonZeroPaddingBits_IsRefusedEvenWhenItsCanonicalSpellingIsCached()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (_, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();
        var token = capabilities.Token(memberId, plugin, "1.0.0");
        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        // The last character of each 22-character half carries 2 data bits over 4 padding bits: the
        // 15 other characters with the same data bits decode to the same bytes if padding is ignored.
        foreach (var i in new[] { 21, 43 })
        {
            var value = alphabet.IndexOf(token[i], StringComparison.Ordinal);
            Assert.Equal(0, value & 15);
            for (var padding = 1; padding < 16; padding++)
            {
                var spelling = token[..i] + alphabet[value | padding] + token[(i + 1)..];

                Assert.Null(capabilities.Verify(spelling, plugin, "1.0.0"));
            }
        }
    }

    [Fact]
    public async Task Verify_CachedTokenAfterAnAccessReload_IsCheckedInFullAgain()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (_, memberId) = await MemberAsync(host, "mara");
        var plugin = host.App.Services.GetRequiredService<PluginCatalog>().Find(PluginId)!;
        var capabilities = host.App.Services.GetRequiredService<CardCapabilities>();
        var token = capabilities.Token(memberId, plugin, "1.0.0");
        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));
        var full = capabilities.FullChecks;

        await host.App.Services.GetRequiredService<PluginAccess>().ReloadAsync();

        Assert.Equal(memberId, capabilities.Verify(token, plugin, "1.0.0"));
        Assert.Equal(full + 1, capabilities.FullChecks);
    }

    [Fact]
    public async Task CardFrame_Document_LoadsTheEntryUnderTheSameToken()
    {
        await using var host = await GovernanceHost.StartAsync();
        await host.InstallOkAsync(PluginId, "1.0.0");
        var (member, _) = await MemberAsync(host, "mara");
        var plugin = (await member.GetJsonAsync("/api/plugins")).EnumerateArray().Single(p => p.Id() == PluginId);
        var frame = new Uri(plugin.GetProperty("cards")[0].GetProperty("frameUrl").GetString()!);
        var prefix = "/" + string.Join('/', frame.AbsolutePath.Split('/')[1..3]);

        using var response = await member.GetRawOnOriginAsync(frame.Authority, frame.AbsolutePath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"content=\"{prefix}/plugins/{PluginId}/1.0.0/{Entry}\"", html, StringComparison.Ordinal);
        var csp = FrameTests.Directives(PluginFileTests.Header(response, "Content-Security-Policy")!);
        Assert.StartsWith($"http://{frame.Authority}{prefix}/plugins/{PluginId}/1.0.0/ ", csp["script-src"], StringComparison.Ordinal);
    }
}
