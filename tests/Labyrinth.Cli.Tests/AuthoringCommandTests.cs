using System.Text;
using System.Text.Json;
using Labyrinth.Cli.Tests.Infrastructure;

namespace Labyrinth.Cli.Tests;

/// <summary><c>plugin new</c>, <c>login</c>/<c>logout</c> and the credentials the server commands read.</summary>
public sealed class AuthoringCommandTests
{
    [Fact]
    public async Task PluginNew_Svelte_WritesTheDiceCardWithPinnedSdkAndTests()
    {
        using var temp = new TempDirectory();
        var dir = temp.Combine("dice");

        var run = await CliRunner.RunAsync("plugin", "new", "com.example.dice", "--dir", dir, "--sdk", "/opt/labyrinth-sdk-0.1.0.tgz");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("npm install && npm test", run.Out);
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal([".gitignore", "README.md", "manifest.json", "package.json", "src/Dice.svelte", "src/history.ts", "test/dice.test.ts"], files);
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "package.json")));
        var dev = package.RootElement.GetProperty("devDependencies");
        Assert.Equal("/opt/labyrinth-sdk-0.1.0.tgz", dev.GetProperty("@labyrinth/sdk").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", dev.GetProperty("vitest").GetString());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.Equal("com.example.dice", manifest.RootElement.GetProperty("id").GetString());
        Assert.True(manifest.RootElement.GetProperty("cards")[0].TryGetProperty("propsSchema", out _));
        Assert.DoesNotContain("__", string.Concat(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PluginNew_Html_WritesAnHtmlEntry()
    {
        using var temp = new TempDirectory();
        var dir = temp.Combine("dice");

        var run = await CliRunner.RunAsync("plugin", "new", "com.example.dice", "--template", "html", "--dir", dir, "--sdk", "x.tgz");

        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "public", "cards", "dice.html")));
        Assert.Contains("\"entry\": \"cards/dice.html\"", File.ReadAllText(Path.Combine(dir, "manifest.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dice")]
    [InlineData("dice")]
    [InlineData("com.example.\"x")]
    public async Task PluginNew_NotAPluginId_UsageErrorAndNothingWritten(string id)
    {
        using var temp = new TempDirectory();

        var run = await CliRunner.RunInAsync(temp.Path, "plugin", "new", id, "--sdk", "x.tgz");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not a plugin id", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task PluginNew_FolderNotEmpty_RefusedAndLeftAlone()
    {
        using var temp = new TempDirectory();
        var dir = temp.Combine("dice");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "mine.txt"), "keep");

        var run = await CliRunner.RunAsync("plugin", "new", "com.example.dice", "--dir", dir, "--sdk", "x.tgz");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["mine.txt"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PluginNew_NoSdkGiven_TakesTheTarballTheServerNames()
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = """{ "name": "@labyrinth/sdk", "version": "0.1.0", "file": "labyrinth-sdk-0.1.0.tgz" }""";
        using var temp = new TempDirectory();
        var dir = temp.Combine("dice");

        var run = await CliRunner.RunAsync("plugin", "new", "com.example.dice", "--dir", dir, "--server", server.Url.ToString());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/sdk/index.json", Assert.Single(server.Requests).Path);
        Assert.Contains($"\"@labyrinth/sdk\": \"{server.Url}sdk/labyrinth-sdk-0.1.0.tgz\"", File.ReadAllText(Path.Combine(dir, "package.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_Prompts_CreatesATokenAndKeepsItPrivate_InstallUsesIt()
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = """{ "id": "00000000-0000-0000-0000-000000000001", "name": "cli", "token": "lab_pat_from_login" }""";
        using var temp = new TempDirectory();
        var env = new Dictionary<string, string> { ["HOME"] = temp.Path };

        var login = await CliRunner.RunWithInputAsync(env, $"{server.Url}\nada\nsecret password\n", "login");

        Assert.Equal(0, login.ExitCode);
        Assert.Equal(["/api/auth/login", "/api/tokens", "/api/auth/logout"], server.Requests.Select(r => r.Path));
        Assert.Contains("\"password\":\"secret password\"", Encoding.UTF8.GetString(server.Requests[0].Body), StringComparison.Ordinal);
        var file = Path.Combine(temp.Path, ".config", "labyrinth", "credentials.json");
        var text = File.ReadAllText(file);
        Assert.Contains("lab_pat_from_login", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret password", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        server.Requests.Clear();
        server.Body = "[]";
        var list = await CliRunner.RunAsync(env, "plugin", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal("Bearer lab_pat_from_login", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task ServerCommand_CredentialsReadableByOthers_RefusedWithTheFix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var file = temp.Combine("credentials.json");
        File.WriteAllText(file, """{ "default": "http://127.0.0.1:9/", "servers": { "http://127.0.0.1:9/": { "token": "t", "userName": "ada", "createdAt": "2026-01-01T00:00:00Z" } } }""");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var run = await CliRunner.RunAsync(new Dictionary<string, string> { ["LABYRINTH_CREDENTIALS"] = file }, "plugin", "list");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("chmod 600", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ForgetsTheToken()
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = """{ "token": "lab_pat_x" }""";
        using var temp = new TempDirectory();
        var env = new Dictionary<string, string> { ["HOME"] = temp.Path };
        Assert.Equal(0, (await CliRunner.RunWithInputAsync(env, "ada\npw\n", "login", "--server", server.Url.ToString())).ExitCode);

        var logout = await CliRunner.RunAsync(env, "logout");
        var list = await CliRunner.RunAsync(env, "plugin", "list", "--server", server.Url.ToString());

        Assert.Equal(0, logout.ExitCode);
        Assert.Equal(2, list.ExitCode);
        Assert.Contains("labyrinth login", list.Error, StringComparison.Ordinal);
    }
}

/// <summary><c>plugin dev</c> against a fake server: one build, one development upload, or the reason there is none.</summary>
public sealed class DevCommandTests : IDisposable
{
    // Inside the repository, so the scaffold's node_modules/@labyrinth/sdk resolves to this SDK.
    private readonly string _dir = Path.Combine(AppContext.BaseDirectory, "dev-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task ScaffoldAsync() =>
        Assert.Equal(0, (await CliRunner.RunAsync("plugin", "new", "com.example.dice", "--dir", _dir, "--sdk", "x.tgz")).ExitCode);

    private Task<CliRun> DevOnceAsync(FakeServer server) =>
        CliRunner.RunAsync("plugin", "dev", _dir, "--once", "--server", server.Url.ToString(), "--token", "lab_pat_t");

    [Fact]
    public async Task PluginDev_Once_BuildsAndUploadsTheNextDevVersion()
    {
        await using var server = await FakeServer.StartAsync();
        await ScaffoldAsync();

        var run = await DevOnceAsync(server);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("live", run.Out, StringComparison.Ordinal);
        var upload = server.Requests.Single(r => r.Path == "/api/admin/plugins/dev");
        Assert.Equal("Bearer lab_pat_t", upload.Authorization);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(upload.Body));
        using var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
        Assert.Matches(@"^0\.1\.0-dev\.\d+$", manifest.RootElement.GetProperty("version").GetString());
        Assert.NotNull(zip.GetEntry("cards/dice.js"));
    }

    [Fact]
    public async Task PluginDev_DevInstallsOff_RefusedWithTheHostsReasonBeforeBuilding()
    {
        await using var server = await FakeServer.StartAsync();
        server.Body = """{ "mode": "strict", "devInstalls": { "allowed": false, "reason": "The host listens on http://0.0.0.0:5080, which other machines may reach.", "kept": 3 } }""";
        await ScaffoldAsync();

        var run = await DevOnceAsync(server);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not take development installs: The host listens on http://0.0.0.0:5080", run.Error, StringComparison.Ordinal);
        Assert.Equal(["/api/admin/policy"], server.Requests.Select(r => r.Path));
        Assert.False(Directory.Exists(Path.Combine(_dir, ".labyrinth")));
    }

    [Fact]
    public async Task PluginDev_NotAnAdmin_SaysSo()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 403;
        server.Body = "";
        await ScaffoldAsync();

        var run = await DevOnceAsync(server);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("not an admin", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/api/admin/plugins/dev");
    }

    [Fact]
    public async Task PluginDev_BuildFails_ErrorInTerminalAndOnTheCardNothingUploaded()
    {
        await using var server = await FakeServer.StartAsync();
        server.Routes["/api/admin/plugins/dev/com.example.dice/build-failed"] = (204, "");
        await ScaffoldAsync();
        File.WriteAllText(Path.Combine(_dir, "src", "Dice.svelte"), "<script>\nlet x = ;\n</script>\n");

        var run = await DevOnceAsync(server);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("failed; the last good version stays live", run.Error, StringComparison.Ordinal);
        Assert.Contains("Dice.svelte", run.Error, StringComparison.Ordinal);
        var report = server.Requests.Single(r => r.Path == "/api/admin/plugins/dev/com.example.dice/build-failed");
        Assert.Contains("Dice.svelte", JsonDocument.Parse(report.Body).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path == "/api/admin/plugins/dev");
    }

    [Fact]
    public async Task PluginDev_HostRefusesThePackage_PrintsEachProblem()
    {
        await using var server = await FakeServer.StartAsync();
        server.Routes["/api/admin/plugins/dev"] = (400, """{ "title": "Bad Request", "detail": "The package was refused with 1 problems.", "code": "package.rejected", "problems": [ { "code": "manifest.invalid", "pointer": "/cards/0/minSize", "message": "minSize is larger than defaultSizePt." } ] }""");
        await ScaffoldAsync();

        var run = await DevOnceAsync(server);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused com.example.dice 0.1.0-dev.", run.Error, StringComparison.Ordinal);
        Assert.Contains("/cards/0/minSize: minSize is larger than defaultSizePt. [manifest.invalid]", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PluginDev_NoManifest_UsageError()
    {
        using var temp = new TempDirectory();

        var run = await CliRunner.RunAsync("plugin", "dev", temp.Path, "--once", "--server", "http://127.0.0.1:9/", "--token", "t");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no manifest.json", run.Error, StringComparison.Ordinal);
    }
}
