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
}
