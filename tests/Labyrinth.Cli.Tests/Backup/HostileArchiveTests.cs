using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Cli.Tests.Infrastructure;

namespace Labyrinth.Cli.Tests.Backup;

/// <summary>
/// A backup archive is input like a plugin package: whoever made it may want to write outside the
/// target, plant a link, or exhaust the machine. Each test plants one attack and checks that
/// verify names it and restore refuses it without writing anything anywhere.
/// </summary>
public sealed class HostileArchiveTests
{
    private static async Task<(SampleDataDirectory Data, string Archive)> BackedUpAsync(TempDirectory temp)
    {
        var data = new SampleDataDirectory(temp);
        var archive = temp.Combine("backup.zip");
        var run = await CliRunner.RunAsync("backup", "create", "--data", data.Path, "--out", archive);
        Assert.True(run.ExitCode == 0, run.All);
        return (data, archive);
    }

    /// <summary>Runs verify and restore; both must fail with <paramref name="sentence"/>, and restore must leave no trace.</summary>
    private static async Task AssertRefusedAsync(TempDirectory temp, string archive, string sentence)
    {
        var target = temp.Combine("restored");
        var before = Directory.EnumerateFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

        var verify = await CliRunner.RunAsync("backup", "verify", archive);
        var restore = await CliRunner.RunAsync("backup", "restore", archive, "--data", target);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains(sentence, verify.Error);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains(sentence, restore.Error);
        var after = Directory.EnumerateFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(before, after);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "labyrinth-evil.txt")));
    }

    [Theory]
    [InlineData("../labyrinth-evil.txt", "its name has a segment starting with \".\"")]
    [InlineData("blobs/../../labyrinth-evil.txt", "its name has a segment starting with \".\"")]
    [InlineData("/tmp/labyrinth-evil.txt", "its name has an empty segment")]
    [InlineData("C:/labyrinth-evil.txt", "may only contain ASCII letters")]
    [InlineData("keys\\..\\..\\labyrinth-evil.txt", "may only contain ASCII letters")]
    [InlineData("keys/caf\u00e9.json", "may only contain ASCII letters")]
    [InlineData("keys/.hidden", "its name has a segment starting with \".\"")]
    public async Task Archive_EntryNameThatEscapesOrHides_IsRefused(string name, string reason)
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (_, bytes) => bytes, (name, Encoding.UTF8.GetBytes("pwned")));

        await AssertRefusedAsync(temp, archive, reason);
    }

    [Fact]
    public async Task Archive_SymlinkEntry_IsRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        AddEntry(archive, "keys/dataprotection/link.xml", Encoding.UTF8.GetBytes("/etc/passwd"), attributes: unchecked((int)(0xA1FFu << 16)));

        await AssertRefusedAsync(temp, archive, "Entry \"keys/dataprotection/link.xml\" is a symbolic link or another special file");
    }

    [Fact]
    public async Task Archive_DuplicateEntry_IsRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        AddEntry(archive, "keys/local-publisher.json", Encoding.UTF8.GetBytes("{\"swapped\":true}"));

        await AssertRefusedAsync(temp, archive, "Entry \"keys/local-publisher.json\" appears more than once.");
    }

    [Fact]
    public async Task Archive_NamesDifferingOnlyInCase_AreRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        AddEntry(archive, "keys/Local-Publisher.json", Encoding.UTF8.GetBytes("{}"));

        await AssertRefusedAsync(temp, archive, "Entry \"keys/Local-Publisher.json\" differs only in case from \"keys/local-publisher.json\".");
    }

    [Fact]
    public async Task Archive_EntryNotInTheManifest_IsRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (_, bytes) => bytes, ("keys/extra.json", Encoding.UTF8.GetBytes("{}")));

        await AssertRefusedAsync(temp, archive, "Entry \"keys/extra.json\" is not listed in the manifest.");
    }

    [Fact]
    public async Task Archive_EntryLargerThanListed_IsRefused()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "blobs/" + data.PluginSha ? [.. bytes, .. new byte[1000]] : bytes);

        await AssertRefusedAsync(temp, archive, $"Blob {data.PluginSha} holds {data.PluginFile.Length + 1000} bytes but the manifest lists {data.PluginFile.Length}.");
    }

    [Fact]
    public async Task Archive_WithoutManifest_IsRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ArchiveEdits.Rewrite(archive, (name, bytes) => name == "manifest.json" ? null : bytes);

        await AssertRefusedAsync(temp, archive, "The archive has no manifest.json");
    }

    /// <summary>
    /// A zip bomb that aliases: many central directory records point at one small deflate stream
    /// of zeros, and the manifest lists each as a large blob with the right hash. Every entry is
    /// honest on its own; only the total gives it away, so nothing is inflated at all.
    /// </summary>
    [Fact]
    public async Task Archive_EntriesSharingCompressedBytes_AreRefusedAsABomb()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        var zeros = new byte[8 * 1024 * 1024];
        var sha = SampleDataDirectory.Sha(zeros);
        var names = Enumerable.Range(0, 100).Select(i => "blobs/" + (i.ToString("x2") + sha[2..])).ToArray();
        ArchiveEdits.EditManifest(archive, m =>
        {
            var blobs = m["blobs"]!.AsArray();
            foreach (var name in names)
            {
                blobs.Add(new JsonObject { ["sha256"] = name["blobs/".Length..], ["bytes"] = zeros.Length });
            }

            return m;
        });
        RawZip.AppendAliases(archive, zeros, names);

        await AssertRefusedAsync(temp, archive, "more than deflate can produce: entries share compressed data (a zip bomb)");
    }

    [Fact]
    public async Task Database_PluginFilePathLeavingTheStore_IsRefused()
    {
        using var temp = new TempDirectory();
        var (data, archive) = await BackedUpAsync(temp);
        ReplaceDatabase(temp, archive, $"UPDATE PluginVersions SET FilesJson = '[{{\"path\":\"../../../../labyrinth-evil.txt\",\"sha256\":\"{data.PluginSha}\",\"bytes\":{data.PluginFile.Length}}}]'");

        await AssertRefusedAsync(temp, archive, "the file \"../../../../labyrinth-evil.txt\" has a path the plugin store cannot hold.");
    }

    [Fact]
    public async Task Database_PluginIdThatIsAPath_IsRefused()
    {
        using var temp = new TempDirectory();
        var (_, archive) = await BackedUpAsync(temp);
        ReplaceDatabase(temp, archive, "UPDATE PluginVersions SET PluginId = '../../..'");

        await AssertRefusedAsync(temp, archive, "its id or version cannot name a directory in the plugin store.");
    }

    /// <summary>Swaps in an edited copy of the archive's own database with a manifest that matches it, as a forger would.</summary>
    private static void ReplaceDatabase(TempDirectory temp, string archive, string sql)
    {
        var copy = temp.Combine("edited.db");
        using (var zip = ZipFile.OpenRead(archive))
        {
            zip.GetEntry("database/labyrinth.db")!.ExtractToFile(copy);
        }

        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(copy);
        File.Delete(copy);
        ArchiveEdits.Rewrite(archive, (name, old) => name == "database/labyrinth.db" ? bytes : old);
        ArchiveEdits.EditManifest(archive, m =>
        {
            m["database"]!["sha256"] = SampleDataDirectory.Sha(bytes);
            m["database"]!["bytes"] = bytes.Length;
            return m;
        });
    }

    /// <summary>Adds an entry with ZipArchive's update mode, which writes whatever name and attributes it is given.</summary>
    private static void AddEntry(string archive, string name, byte[] bytes, int attributes = 0)
    {
        using var zip = ZipFile.Open(archive, ZipArchiveMode.Update);
        var entry = zip.CreateEntry(name);
        entry.ExternalAttributes = attributes;
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}

/// <summary>Appends hand-made records to a zip: what no zip library writes on purpose.</summary>
internal static class RawZip
{
    /// <summary>
    /// Rewrites <paramref name="archive"/> with one extra deflated entry holding <paramref name="content"/>
    /// and central directory records for every name in <paramref name="names"/>, all pointing at it.
    /// </summary>
    public static void AppendAliases(string archive, byte[] content, string[] names)
    {
        var bytes = File.ReadAllBytes(archive);
        var eocd = bytes.Length - 22;
        Assert.Equal(0x06054b50u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd)));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(eocd + 10));
        var cdSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd + 12));
        var cdOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd + 16));

        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(content);
        }

        var data = compressed.ToArray();
        var crc = Crc(content);
        using var output = new MemoryStream();
        output.Write(bytes, 0, cdOffset);
        var localOffset = (uint)output.Length;
        var localName = Encoding.ASCII.GetBytes(names[0]);
        var local = new byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(4), 20);
        BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(8), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(14), crc);
        BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(18), (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(local.AsSpan(22), (uint)content.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(local.AsSpan(26), (ushort)localName.Length);
        output.Write(local);
        output.Write(localName);
        output.Write(data);

        var newCdOffset = (uint)output.Length;
        output.Write(bytes, cdOffset, cdSize);
        foreach (var name in names)
        {
            var raw = Encoding.ASCII.GetBytes(name);
            var record = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(4), 0x031E);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(6), 20);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(10), 8);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(20), (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(24), (uint)content.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(28), (ushort)raw.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(42), localOffset);
            output.Write(record);
            output.Write(raw);
        }

        var newCdSize = (uint)(output.Length - newCdOffset);
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), (ushort)(count + names.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), (ushort)(count + names.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), newCdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), newCdOffset);
        output.Write(end);
        File.WriteAllBytes(archive, output.ToArray());
    }

    /// <summary>The CRC-32 of <paramref name="content"/>, as ZipArchive computes it for an entry.</summary>
    private static uint Crc(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry("x", CompressionLevel.NoCompression).Open();
            stream.Write(content);
        }

        buffer.Position = 0;
        using var read = new ZipArchive(buffer, ZipArchiveMode.Read);
        return read.Entries[0].Crc32;
    }
}
