using System.IO.Compression;
using Labyrinth.Cli.Features.Packages;
using Labyrinth.Cli.Tests.Infrastructure;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Tests;

public sealed class PackageCommandTests
{
    private static async Task<string> NewKeyAsync(TempDirectory temp, string name)
    {
        var path = temp.Combine(name + ".key.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "new", "--name", name, "--out", path)).ExitCode);
        return path;
    }

    [Fact]
    public async Task PackThenVerify_Unsigned_PacksButVerifySaysUnsignedAndFails()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var package = temp.Combine("out.labyrinthplugin");

        var pack = await CliRunner.RunAsync("plugin", "pack", dir, "--out", package);
        var verify = await CliRunner.RunAsync("plugin", "verify", package);

        Assert.Equal(0, pack.ExitCode);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("verdict: unsigned", verify.Out);
        Assert.Contains("com.example.greeter 1.2.3", verify.Out);
    }

    [Fact]
    public async Task PackThenVerify_SignedAndTrusted_Passes()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var key = await NewKeyAsync(temp, "Alice");
        var package = temp.Combine("out.labyrinthplugin");

        Assert.Equal(0, (await CliRunner.RunAsync("plugin", "pack", dir, "--out", package, "--key", key)).ExitCode);
        var unknown = await CliRunner.RunAsync("plugin", "verify", package);
        var trusted = await CliRunner.RunAsync("plugin", "verify", package, "--trust", key);

        Assert.Equal(0, unknown.ExitCode);
        Assert.Contains("signed by unknown key", unknown.Out);
        Assert.Equal(0, trusted.ExitCode);
        Assert.Contains("trusted: signed by Alice", trusted.Out);
    }

    [Fact]
    public async Task Pack_DefaultOutput_IsIdDashVersionAndSkipsBuildOutput()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var result = Packing.Pack(dir, key: null);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        using var zip = new ZipArchive(new MemoryStream(result.Bytes));
        Assert.Equal(["cards/greeter.js", "cards/style.css", "manifest.json"], zip.Entries.Select(e => e.FullName));
        // Tiny files may be stored when deflate would not shrink them; the manifest is large enough to show deflate.
        Assert.True(zip.GetEntry("manifest.json")!.CompressedLength < zip.GetEntry("manifest.json")!.Length);

        var run = await CliRunner.RunInAsync(temp.Path, "plugin", "pack", dir);
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(temp.Combine("com.example.greeter-1.2.3.labyrinthplugin")), run.All);
    }

    [Fact]
    public async Task Pack_SameFolderTwice_GivesIdenticalBytes()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var key = await NewKeyAsync(temp, "Alice");

        await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("a.labyrinthplugin"), "--key", key);
        File.SetLastWriteTimeUtc(Path.Combine(dir, "manifest.json"), DateTime.UtcNow.AddDays(-3));
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("b.labyrinthplugin"), "--key", key);

        Assert.Equal(File.ReadAllBytes(temp.Combine("a.labyrinthplugin")), File.ReadAllBytes(temp.Combine("b.labyrinthplugin")));
    }

    [Fact]
    public async Task Verify_FileChangedAfterSigning_IsTamperedAndFails()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var key = await NewKeyAsync(temp, "Alice");
        var package = temp.Combine("p.labyrinthplugin");
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", package, "--key", key);
        using (var zip = ZipFile.Open(package, ZipArchiveMode.Update))
        {
            zip.GetEntry("cards/greeter.js")!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("cards/greeter.js").Open());
            writer.Write("export function mount() { steal(); }\n");
        }

        var run = await CliRunner.RunAsync("plugin", "verify", package, "--trust", key);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("verdict: tampered", run.Out);
    }

    [Fact]
    public async Task Verify_SignedByAnotherKey_IsNotTrusted()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var alice = await NewKeyAsync(temp, "Alice");
        var mallory = await NewKeyAsync(temp, "Mallory");
        var package = temp.Combine("p.labyrinthplugin");
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", package, "--key", mallory);
        using var aliceKey = PublisherKey.ImportKeyFile(File.ReadAllBytes(alice));

        var byFile = await CliRunner.RunAsync("plugin", "verify", package, "--trust", alice);
        var byBase64 = await CliRunner.RunAsync("plugin", "verify", package, "--trust", Convert.ToBase64String(aliceKey.PublicKey), "--json");

        Assert.Equal(1, byFile.ExitCode);
        Assert.Contains("signed by unknown key", byFile.Out);
        Assert.Contains("not trusted", byFile.Out);
        Assert.Equal(1, byBase64.ExitCode);
        Assert.Contains("\"status\": \"untrusted-key\"", byBase64.Out);
    }

    [Fact]
    public async Task Sign_UnsignedPackage_BecomesTrustedWithSameFiles()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var key = await NewKeyAsync(temp, "Alice");
        var package = temp.Combine("p.labyrinthplugin");
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", package);

        var sign = await CliRunner.RunAsync("plugin", "sign", package, "--key", key);
        var verify = await CliRunner.RunAsync("plugin", "verify", package, "--trust", key);
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("direct.labyrinthplugin"), "--key", key);

        Assert.Equal(0, sign.ExitCode);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal(File.ReadAllBytes(temp.Combine("direct.labyrinthplugin")), File.ReadAllBytes(package));
    }

    [Fact]
    public async Task Pack_SymlinkLeavingTheFolder_IsRefusedAndNamed()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        File.WriteAllText(temp.Combine("secret.js"), "secret");
        File.CreateSymbolicLink(Path.Combine(dir, "cards", "evil.js"), "../../secret.js");
        var output = temp.Combine("p.labyrinthplugin");

        var run = await CliRunner.RunAsync("plugin", "pack", dir, "--out", output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cards/evil.js: symbolic links are not allowed", run.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Pack_ExecutableAndBadManifest_ListsEveryProblem()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        File.WriteAllBytes(Path.Combine(dir, "tool.exe"), [0x4D, 0x5A]);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), PluginFolder.Manifest.Replace("\"1.2.3\"", "\"one\""));

        var exe = await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("p.labyrinthplugin"));
        File.Delete(Path.Combine(dir, "tool.exe"));
        var manifest = await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("p.labyrinthplugin"), "--json");

        Assert.Equal(1, exe.ExitCode);
        Assert.Contains("tool.exe", exe.Error);
        Assert.Equal(1, manifest.ExitCode);
        Assert.Contains("/version", manifest.Out);
        Assert.False(File.Exists(temp.Combine("p.labyrinthplugin")));
    }

    [Fact]
    public async Task Verify_NotAZip_IsInvalid()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("junk.labyrinthplugin");
        File.WriteAllText(path, "not a zip");

        var run = await CliRunner.RunAsync("plugin", "verify", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("verdict: invalid", run.Out);
    }

    [Fact]
    public async Task Verify_MissingFile_IsUsageError()
    {
        var run = await CliRunner.RunAsync("plugin", "verify", "/nonexistent/x.labyrinthplugin");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Error);
    }

    private const string UrlTheme = """{ "themeID": "dusk", "name": "Dusk", "tokens": { "canvas.clearColor": "url(https://evil.example/x.png)" } }""";

    private static void AddTheme(string dir, string theme)
    {
        var manifest = File.ReadAllText(Path.Combine(dir, "manifest.json"))
            .Replace("\"cards\": [", "\"themes\": [{ \"themeID\": \"dusk\", \"path\": \"themes/dusk.json\" }],\n  \"cards\": [", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest);
        Directory.CreateDirectory(Path.Combine(dir, "themes"));
        File.WriteAllText(Path.Combine(dir, "themes", "dusk.json"), theme);
    }

    [Fact]
    public async Task Pack_ThemeWithCssUrl_IsRefusedAsTheHostRefusesIt()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        AddTheme(dir, UrlTheme);
        var output = temp.Combine("p.labyrinthplugin");

        var run = await CliRunner.RunAsync("plugin", "pack", dir, "--out", output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("themes/dusk.json /tokens/canvas.clearColor: this value contains \"url(\"", run.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Pack_ValidTheme_Packs()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        AddTheme(dir, """{ "themeID": "dusk", "name": "Dusk", "tokens": {} }""");

        var run = await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("p.labyrinthplugin"));

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Verify_PackageWhoseThemeHasCssUrl_IsInvalid()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        AddTheme(dir, UrlTheme);
        var package = temp.Combine("p.labyrinthplugin");
        // Written with the host's writer directly, skipping pack's validation, as an attacker would.
        File.WriteAllBytes(package, Core.Packages.PackageWriter.Write(Core.Packages.PackageWriter.CollectFolder(dir, [])));

        var run = await CliRunner.RunAsync("plugin", "verify", package, "--json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("\"status\": \"invalid\"", run.Out);
        Assert.Contains("/tokens/canvas.clearColor", run.Out);
    }

    [Fact]
    public async Task Pack_ManifestWithDuplicateKey_IsRefusedWithPointer()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), PluginFolder.Manifest.Replace("\"version\": \"1.2.3\",", "\"version\": \"1.2.3\", \"version\": \"9.9.9\",", StringComparison.Ordinal));

        var run = await CliRunner.RunAsync("plugin", "pack", dir, "--out", temp.Combine("p.labyrinthplugin"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("manifest.json /version: The key \"version\" appears more than once", run.Error);
    }

    [Fact]
    public async Task Verify_SecondArchiveAppended_IsInvalidNamingTheBytes()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var first = temp.Combine("a.labyrinthplugin");
        await CliRunner.RunAsync("plugin", "pack", dir, "--out", first);
        var bytes = File.ReadAllBytes(first);
        var glued = temp.Combine("glued.labyrinthplugin");
        File.WriteAllBytes(glued, [.. bytes, .. bytes]);

        var run = await CliRunner.RunAsync("plugin", "verify", glued);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("verdict: invalid package", run.Out);
        Assert.Contains("bytes lie between the end of the central directory", run.Error);
    }

    [Fact]
    public async Task Pack_OutputBytes_AreTheHostWritersBytes()
    {
        using var temp = new TempDirectory();
        var dir = PluginFolder.Create(temp);
        var package = temp.Combine("p.labyrinthplugin");

        await CliRunner.RunAsync("plugin", "pack", dir, "--out", package);

        Assert.Equal(Core.Packages.PackageWriter.Write(Core.Packages.PackageWriter.CollectFolder(dir, [])), File.ReadAllBytes(package));
    }
}
