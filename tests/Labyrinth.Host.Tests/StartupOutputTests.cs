using System.Runtime.Versioning;
using Labyrinth.Host.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Host.Tests;

/// <summary>What a person sees when the host starts, and how its keys are kept on disk.</summary>
public sealed class StartupOutputTests
{
    [Fact]
    public async Task FirstRun_SetupLinkIsItsOwnBlock_AfterTheReadyLine()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var token = app.SetupToken();

        var entries = app.Logs.Entries;
        var readyAt = entries.ToList().FindIndex(e => e.Category == "Labyrinth" && e.Message.StartsWith("Labyrinth is running at ", StringComparison.Ordinal));
        var setupAt = entries.ToList().FindIndex(e => e.Category == "Labyrinth.Setup");
        Assert.True(readyAt >= 0, "no 'Labyrinth is running at' line");
        Assert.True(setupAt > readyAt, "the setup block must come after the ready line");
        var setup = entries[setupAt];
        Assert.Equal(LogLevel.Information, setup.Level);
        var lines = setup.Message.Split('\n');
        // The link stands alone on its line, between blank lines, inside a ruled block.
        var link = Array.FindIndex(lines, l => l.Contains("/setup#token=", StringComparison.Ordinal));
        Assert.Equal($"/setup#token={token}", lines[link].Trim()[lines[link].Trim().IndexOf("/setup", StringComparison.Ordinal)..]);
        Assert.StartsWith("http", lines[link].Trim(), StringComparison.Ordinal);
        Assert.Equal("", lines[link - 1].Trim());
        Assert.Equal("", lines[link + 1].Trim());
        Assert.StartsWith("═══", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("═══", lines[^1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("create the administrator account", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_NoDataProtectionWarning_KeysExplainedOnce()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = app.SetupToken();
        // Make sure the key ring exists (the first protect creates a key).
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");

        Assert.DoesNotContain(app.Logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal) && e.Level >= LogLevel.Warning);
        var keysLines = app.Logs.Entries.Where(e => e.Message.Contains("readable only by this user", StringComparison.Ordinal)).ToList();
        Assert.Single(keysLines);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task KeyRing_FoldersAre700_FilesAre600()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");
        await using var app = LabyrinthApp.WithoutPlugins();
        await app.SetupAdminAsync(); // signs in: the cookie needs a key
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        var paths = app.Services.GetRequiredService<HostPaths>();

        Assert.Equal(KeyRingRepository.DirectoryMode, File.GetUnixFileMode(paths.KeysDir));
        Assert.Equal(KeyRingRepository.DirectoryMode, File.GetUnixFileMode(paths.DataProtectionDir));
        var files = Directory.GetFiles(paths.DataProtectionDir);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void KeyRing_ExistingLooseFiles_AreTightenedAtStart()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");
        var root = Path.Combine(Path.GetTempPath(), "labyrinth-keyring-" + Guid.NewGuid().ToString("N"));
        var dir = Path.Combine(root, "keys", "dataprotection");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "key-old.xml");
        File.WriteAllText(file, "<key />");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        try
        {
            _ = new KeyRingRepository(dir);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(KeyRingRepository.DirectoryMode, File.GetUnixFileMode(dir));
            Assert.Equal(KeyRingRepository.DirectoryMode, File.GetUnixFileMode(Path.Combine(root, "keys")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
