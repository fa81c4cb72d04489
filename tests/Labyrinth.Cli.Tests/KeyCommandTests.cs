using System.Text.Json;
using Labyrinth.Cli.Tests.Infrastructure;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Tests;

public sealed class KeyCommandTests
{
    [Fact]
    public async Task KeysNew_FreshPath_WritesLoadableOwnerOnlyKeyAndPrintsPublicKey()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("alice.key.json");

        var run = await CliRunner.RunAsync("keys", "new", "--name", "Alice", "--out", path);

        Assert.Equal(0, run.ExitCode);
        using var key = PublisherKey.ImportKeyFile(File.ReadAllBytes(path));
        Assert.Equal("Alice", key.Name);
        Assert.Contains(key.KeyId, run.Out);
        Assert.Contains(Convert.ToBase64String(key.PublicKey), run.Out);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task KeysNew_ExistingFile_RefusesWithoutForceAndReplacesWithForce()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("k.json");
        await CliRunner.RunAsync("keys", "new", "--name", "First", "--out", path);
        var original = File.ReadAllBytes(path);

        var refused = await CliRunner.RunAsync("keys", "new", "--name", "Second", "--out", path);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Error);
        Assert.Equal(original, File.ReadAllBytes(path));

        var forced = await CliRunner.RunAsync("keys", "new", "--name", "Second", "--out", path, "--force", "--json");
        Assert.Equal(0, forced.ExitCode);
        using var key = PublisherKey.ImportKeyFile(File.ReadAllBytes(path));
        Assert.Equal("Second", key.Name);
        Assert.Contains("\"keyId\": \"" + key.KeyId + "\"", forced.Out);
    }

    [Fact]
    public async Task KeysNew_MissingName_IsUsageError()
    {
        var run = await CliRunner.RunAsync("keys", "new", "--out", "x.json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--name", run.Error);
    }

    [Fact]
    public async Task KeysTrust_KeyFile_PostsItsNameAndOnlyThePublicHalf()
    {
        await using var server = await FakeServer.StartAsync();
        server.Status = 201;
        using var temp = new TempDirectory();
        var path = temp.Combine("ada.key.json");
        Assert.Equal(0, (await CliRunner.RunAsync("keys", "new", "--name", "Ada Lovelace", "--out", path)).ExitCode);
        using var key = PublisherKey.ImportKeyFile(File.ReadAllBytes(path));

        var run = await CliRunner.RunAsync("keys", "trust", path, "--server", server.Url.ToString(), "--token", "lab_pat_admin");

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/admin/trust", "Bearer lab_pat_admin"), (request.Method, request.Path, request.Authorization));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("Ada Lovelace", body.RootElement.GetProperty("name").GetString());
        Assert.Equal(Convert.ToBase64String(key.PublicKey), body.RootElement.GetProperty("publicKey").GetString());
        Assert.DoesNotContain(Convert.ToBase64String(key.ExportPrivateKey()), request.BodyText, StringComparison.Ordinal);
        Assert.Contains(key.KeyId, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysTrust_NeitherFileNorKey_UsageErrorWithoutCallingTheServer()
    {
        await using var server = await FakeServer.StartAsync();

        var run = await CliRunner.RunAsync("keys", "trust", "not-a-key", "--server", server.Url.ToString(), "--token", "t");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("neither an existing key file nor a base64 Ed25519 public key", run.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}
