using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Labyrinth.Backup;
using Labyrinth.Cli.Tests.Infrastructure;

namespace Labyrinth.Cli.Tests.Backup;

/// <summary><c>labyrinth backup create | verify | restore</c> on a data directory, and on archives that were damaged or tampered with.</summary>
public sealed class BackupCommandTests
{
    private static async Task<(SampleDataDirectory Data, string Archive)> BackedUpAsync(TempDirectory temp)
    {
        var data = new SampleDataDirectory(temp);
        var archive = temp.Combine("backup.zip");
        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", archive);
        Assert.True(run.ExitCode == 0, run.All);
        return (data, archive);
    }

    private static void AssertNothingIn(string directory) =>
        Assert.True(!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any(), $"{directory} is not empty");

    [Fact]
    public async Task Create_DataDirectory_WritesArchiveThatVerifies()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.StartsWith("ok: ", verify.Out);
        Assert.Contains("audit      3 entries", verify.Out);
        Assert.Contains("plugins    1 versions, 1 files", verify.Out);
    }

    [Fact]
    public async Task Create_Archive_HoldsDatabaseKeysAndReferencedBlobsUnderSafeNames()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);

        using var zip = ZipFile.OpenRead(archive);
        var names = zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
        [
            "blobs/" + new[] { data.AssetSha, data.PluginSha }.Order(StringComparer.Ordinal).First(),
            "blobs/" + new[] { data.AssetSha, data.PluginSha }.Order(StringComparer.Ordinal).Last(),
            "database/labyrinth.db",
            "keys/dataprotection/key-0f8e2c7a-1111-2222-3333-444455556666.xml",
            "keys/local-publisher.json",
            "manifest.json",
        ], names);
        Assert.All(zip.Entries, e => Assert.Equal(0x8180, (e.ExternalAttributes >> 16) & 0xFFFF));
    }

    [Fact]
    public async Task Create_Archive_IsCreatedPrivate()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        }

        Assert.Single(Directory.EnumerateFileSystemEntries(temp.Path), p => Path.GetFileName(p) == "backup.zip");
    }

    [Fact]
    public async Task Create_Manifest_RecordsAuditHeadCountsAndHashes()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);

        var json = await CliRunner.RunAsync("backup", "verify", archive, "--json");

        using var doc = JsonDocument.Parse(json.Out);
        var manifest = doc.RootElement.GetProperty("manifest");
        Assert.True(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(3, manifest.GetProperty("audit").GetProperty("entries").GetInt64());
        Assert.Equal(64, manifest.GetProperty("audit").GetProperty("head").GetString()!.Length);
        Assert.Equal("20261125141110_CardsVaultThemes", manifest.GetProperty("database").GetProperty("schemaVersion").GetString());
        Assert.Equal(1, manifest.GetProperty("database").GetProperty("tables").GetProperty("Boards").GetInt64());
        Assert.Equal(2, manifest.GetProperty("counts").GetProperty("blobs").GetInt32());
        Assert.Equal(data.AssetBytes.Length + data.PluginFile.Length, manifest.GetProperty("counts").GetProperty("blobBytes").GetInt64());
    }

    [Fact]
    public async Task Create_OutputExists_RefusesAndKeepsTheFile()
    {
        using var temp = new TempDirectory();
        var data = new SampleDataDirectory(temp);
        var archive = temp.Combine("backup.zip");
        File.WriteAllText(archive, "precious");

        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", archive);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("already exists", run.Error);
        Assert.Equal("precious", File.ReadAllText(archive));
    }

    [Fact]
    public async Task Create_NotADataDirectory_IsAUsageError()
    {
        using var temp = new TempDirectory();

        var run = await CliRunner.RunAsync("backup", "create", "--data", temp.Path, "--out", temp.Combine("b.zip"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no labyrinth.db", run.Error);
        Assert.False(File.Exists(temp.Combine("b.zip")));
    }

    [Fact]
    public async Task Create_WhileDatabaseIsWritten_HoldsEveryCommitBeforeIt()
    {
        using var temp = new TempDirectory();
        var data = new SampleDataDirectory(temp);
        // An open writer keeps commits in the WAL (no checkpoint), as a running host does.
        using var writer = data.Open();
        using (var insert = writer.CreateCommand())
        {
            insert.CommandText = "INSERT INTO Boards VALUES ('b2', 'Committed in the WAL')";
            insert.ExecuteNonQuery();
        }

        var archive = temp.Combine("backup.zip");
        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", temp.Combine("restored"));

        Assert.True(run.ExitCode == 0 && restore.ExitCode == 0, run.All + restore.All);
        using var restored = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={temp.Combine("restored", "labyrinth.db")};Pooling=False");
        restored.Open();
        using var count = restored.CreateCommand();
        count.CommandText = "SELECT Name FROM Boards WHERE Id = 'b2'";
        Assert.Equal("Committed in the WAL", count.ExecuteScalar());
        Assert.False(File.Exists(temp.Combine("restored", "labyrinth.db-wal")) && new FileInfo(temp.Combine("restored", "labyrinth.db-wal")).Length > 0);
    }

    [Fact]
    public async Task Restore_EmptyTarget_LaysOutTheDataDirectory()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        var target = temp.Combine("restored");

        var run = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(data.PluginFile, File.ReadAllBytes(Path.Combine(target, "plugins", SampleDataDirectory.PluginId, SampleDataDirectory.PluginVersion, "cards", "greeter.js")));
        Assert.Equal(data.AssetBytes, File.ReadAllBytes(Path.Combine(target, "assets", data.AssetSha[..2], data.AssetSha)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(data.Path, "keys", "local-publisher.json")), File.ReadAllBytes(Path.Combine(target, "keys", "local-publisher.json")));
        Assert.True(File.Exists(Path.Combine(target, "keys", "dataprotection", "key-0f8e2c7a-1111-2222-3333-444455556666.xml")));
        var audit = await CliRunner.RunAsync("audit", "verify", Path.Combine(target, "labyrinth.db"));
        Assert.StartsWith("ok: 3 entries (database)", audit.Out);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(target, "keys", "local-publisher.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(target, "labyrinth.db")));
        }
    }

    [Fact]
    public async Task Restore_NonEmptyTarget_IsRefusedAndWritesNothing()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        var target = temp.Combine("occupied");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");

        var run = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not empty", run.Error);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).ToArray());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
    }

    [Fact]
    public async Task VerifyAndRestore_FlippedByteInDatabase_FailNamingTheDatabase()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.FlipByteIn(archive, "database/labyrinth.db", 200);
        var target = temp.Combine("restored");

        var verify = await CliRunner.RunAsync("backup", "verify", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("The database (database/labyrinth.db)", verify.Error);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("The database (database/labyrinth.db)", restore.Error);
        AssertNothingIn(target);
    }

    [Fact]
    public async Task VerifyAndRestore_FlippedByteInBlob_FailNamingTheAsset()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        ArchiveEdits.FlipByteIn(archive, "blobs/" + data.AssetSha, 10);
        var target = temp.Combine("restored");

        var verify = await CliRunner.RunAsync("backup", "verify", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        var named = $"The asset \"{SampleDataDirectory.AssetName}\" (blob {data.AssetSha})";
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains(named, verify.Error);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains(named, restore.Error);
        AssertNothingIn(target);
    }

    [Fact]
    public async Task VerifyAndRestore_MissingBlob_FailNamingThePluginFile()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "blobs/" + data.PluginSha ? null : bytes);
        var target = temp.Combine("restored");

        var verify = await CliRunner.RunAsync("backup", "verify", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        var named = $"The plugin file {SampleDataDirectory.PluginId}@{SampleDataDirectory.PluginVersion}/cards/greeter.js (blob {data.PluginSha}) is missing from the archive.";
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains(named, verify.Error);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains(named, restore.Error);
        AssertNothingIn(target);
    }

    [Fact]
    public async Task VerifyAndRestore_AnotherDatabase_FailNamingTheDatabase()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        var other = new SampleDataDirectory(temp, "other", boardName: "Someone else's");
        var otherBytes = BackupOf(temp, other, "other.zip", "database/labyrinth.db");
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "database/labyrinth.db" ? otherBytes : bytes);
        var target = temp.Combine("restored");

        var verify = await CliRunner.RunAsync("backup", "verify", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("The database (database/labyrinth.db) does not match the SHA-256 in the manifest: it is not the database this backup was taken with", verify.Error);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("it is not the database this backup was taken with", restore.Error);
        AssertNothingIn(target);
    }

    [Fact]
    public async Task Verify_AnotherDatabaseWithItsHashInTheManifest_FailsOnWhatItHolds()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        var other = new SampleDataDirectory(temp, "other");
        other.Audit("plugin.kill");
        other.Execute("INSERT INTO Boards VALUES ('b9', 'Extra')");
        var otherBytes = BackupOf(temp, other, "other.zip", "database/labyrinth.db");
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "database/labyrinth.db" ? otherBytes : bytes);
        ArchiveEdits.EditManifest(archive, m =>
        {
            m["database"]!["sha256"] = SampleDataDirectory.Sha(otherBytes);
            m["database"]!["bytes"] = otherBytes.Length;
            return m;
        });

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("has 2 rows in Boards but the manifest records 1", verify.Error);
        Assert.Contains("The audit chain ends at entry 4", verify.Error);
    }

    [Fact]
    public async Task Verify_BlobReferencedButNotListed_NamesIt()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "blobs/" + data.AssetSha ? null : bytes);
        ArchiveEdits.EditManifest(archive, m =>
        {
            var blobs = m["blobs"]!.AsArray();
            blobs.Remove(blobs.Single(b => b!["sha256"]!.GetValue<string>() == data.AssetSha));
            return m;
        });

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"The asset \"{SampleDataDirectory.AssetName}\" (blob {data.AssetSha}) is referenced by the database but is not in the backup.", verify.Error);
    }

    [Fact]
    public async Task Verify_SecretsWithoutKeyRing_SaysTheyCouldNotBeDecrypted()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (name, bytes) => name.StartsWith("keys/dataprotection/", StringComparison.Ordinal) ? null : bytes);
        ArchiveEdits.EditManifest(archive, m =>
        {
            var keys = m["keys"]!.AsArray();
            keys.Remove(keys.Single(k => k!["entry"]!.GetValue<string>().StartsWith("keys/dataprotection/", StringComparison.Ordinal)));
            return m;
        });

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("holds 1 secret(s) but the backup has no Data Protection key ring", verify.Error);
    }

    [Fact]
    public async Task Verify_AuditChainBrokenInTheArchive_FailsNamingTheEntry()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        var tampered = temp.Combine("tampered.db");
        using (var zip = ZipFile.OpenRead(archive))
        {
            zip.GetEntry("database/labyrinth.db")!.ExtractToFile(tampered);
        }

        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={tampered};Pooling=False"))
        {
            db.Open();
            using var edit = db.CreateCommand();
            edit.CommandText = "UPDATE AuditEntries SET Actor = 'mallory' WHERE Sequence = 2";
            edit.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(tampered);
        ArchiveEdits.Rewrite(archive, (name, old) => name == "database/labyrinth.db" ? bytes : old);
        ArchiveEdits.EditManifest(archive, m =>
        {
            m["database"]!["sha256"] = SampleDataDirectory.Sha(bytes);
            m["database"]!["bytes"] = bytes.Length;
            return m;
        });

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("The audit chain in the database is broken: Entry 2 does not match its hash: it was edited.", verify.Error);
    }

    [Fact]
    public async Task Verify_NotAZip_SaysSo()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("backup.zip");
        File.WriteAllText(path, "this is not an archive");

        var verify = await CliRunner.RunAsync("backup", "verify", path);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("The file is not a zip archive", verify.Error);
    }

    [Fact]
    public async Task Verify_MissingFile_IsAUsageError()
    {
        using var temp = new TempDirectory();

        var verify = await CliRunner.RunAsync("backup", "verify", temp.Combine("nope.zip"));

        Assert.Equal(2, verify.ExitCode);
    }

    [Fact]
    public async Task Verify_NewerFormatVersion_SaysWhichVersionItReads()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.EditManifest(archive, m =>
        {
            m["formatVersion"] = 2;
            return m;
        });

        var verify = await CliRunner.RunAsync("backup", "verify", archive);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("manifest.json has format version 2; this version of Labyrinth reads version 1.", verify.Error);
    }

    /// <summary>Makes a backup of another data directory and returns the bytes of one of its entries.</summary>
    private static byte[] BackupOf(TempDirectory temp, SampleDataDirectory data, string file, string entry)
    {
        var path = temp.Combine(file);
        var result = BackupFiles.CreateAsync(BackupSource.ForDataDirectory(data.Path, "test"), path, null, CancellationToken.None).GetAwaiter().GetResult();
        Assert.NotNull(result);
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
