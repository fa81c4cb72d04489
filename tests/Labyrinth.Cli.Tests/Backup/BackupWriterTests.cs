using Labyrinth.Backup;
using Labyrinth.Cli.Tests.Infrastructure;

namespace Labyrinth.Cli.Tests.Backup;

/// <summary>
/// The CLI backs up a data directory another process (the host) owns, so nothing holds files in
/// place: a file the snapshot references that disappears before it is copied must start the backup
/// over with a new snapshot, never yield an archive that lacks it.
/// </summary>
public sealed class BackupWriterTests
{
    [Fact]
    public async Task Create_AssetDeletedAfterTheSnapshot_TakesANewSnapshotWithoutIt()
    {
        using var temp = new TempDirectory();
        var data = new SampleDataDirectory(temp);
        var guard = new AfterFirstSnapshot(() =>
        {
            // What the host does when its owner deletes the asset: row first, then the unreferenced file.
            data.Execute("DELETE FROM Assets");
            File.Delete(data.AssetPath);
        });
        var retries = new List<string>();
        var archive = temp.Combine("backup.zip");

        var result = await BackupFiles.CreateAsync(BackupSource.ForDataDirectory(data.Path, "test") with { Guard = guard }, archive, retries.Add, CancellationToken.None);

        var message = Assert.Single(retries);
        Assert.Contains($"The asset \"{SampleDataDirectory.AssetName}\" (blob {data.AssetSha}) was deleted after the database snapshot", message);
        Assert.Contains("attempt 2 of 3", message);
        Assert.Equal(0, result.Manifest.Counts.Assets);
        Assert.True((await BackupVerifier.VerifyAsync(archive, null, CancellationToken.None)).IsValid);
        Assert.Single(Directory.EnumerateFileSystemEntries(temp.Path), p => Path.GetFileName(p) == "backup.zip");
    }

    [Fact]
    public async Task Create_StoreMissingAReferencedFile_FailsNamingItAndLeavesNoFile()
    {
        using var temp = new TempDirectory();
        var data = new SampleDataDirectory(temp);
        File.Delete(data.AssetPath);
        var archive = temp.Combine("backup.zip");

        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", archive);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The asset \"{SampleDataDirectory.AssetName}\" (blob {data.AssetSha})", run.Error);
        Assert.Contains("kept changing during 3 attempts", run.Error);
        Assert.Equal(2, run.Error.Split("warning: ").Length - 1);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(temp.Path), p => Path.GetFileName(p) != "data");
    }

    [Fact]
    public async Task Create_PluginFileChangedInTheStore_FailsNamingIt()
    {
        using var temp = new TempDirectory();
        var data = new SampleDataDirectory(temp);
        File.AppendAllText(Path.Combine(data.Path, "plugins", SampleDataDirectory.PluginId, SampleDataDirectory.PluginVersion, "cards", "greeter.js"), "// tampered");

        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", temp.Combine("backup.zip"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"The plugin file {SampleDataDirectory.PluginId}@{SampleDataDirectory.PluginVersion}/cards/greeter.js changed after the database snapshot, or the plugin store is damaged", run.Error);
    }

    /// <summary>Runs an action once, right after the first snapshot, as another process would act at that moment.</summary>
    private sealed class AfterFirstSnapshot(Action action) : IBackupGuard, IAsyncDisposable
    {
        private int snapshots;

        public Task<IAsyncDisposable> EnterSnapshotAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(this);

        public Task<IAsyncDisposable> PinBlobsAsync(CancellationToken ct) => Task.FromResult<IAsyncDisposable>(new Nothing());

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Increment(ref snapshots) == 1)
            {
                action();
            }

            return ValueTask.CompletedTask;
        }

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
