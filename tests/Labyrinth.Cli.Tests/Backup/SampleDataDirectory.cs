using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Labyrinth.Cli.Tests.Infrastructure;
using Labyrinth.Core.Audit;
using Microsoft.Data.Sqlite;

namespace Labyrinth.Cli.Tests.Backup;

/// <summary>
/// A data directory laid out as the host lays it out (WAL database, plugin store, File Registry,
/// key ring), written directly so CLI tests do not start a host. The tables the backup reads have
/// the host's names and columns; Boards stands for every table it copies without naming.
/// </summary>
internal sealed class SampleDataDirectory
{
    public const string PluginId = "com.example.greeter";
    public const string PluginVersion = "1.2.3";
    public const string AssetName = "photo.png";

    public SampleDataDirectory(TempDirectory temp, string name = "data", string boardName = "Plans")
    {
        Path = temp.Combine(name);
        Directory.CreateDirectory(Path);
        PluginFile = Encoding.UTF8.GetBytes("export function mountPlugin(el) { el.textContent = 'hi'; }\n");
        AssetBytes = [.. "\x89PNG\r\n\x1a\n"u8.ToArray(), .. RandomNumberGenerator.GetBytes(4096)];
        AssetSha = Sha(AssetBytes);
        PluginSha = Sha(PluginFile);

        var plugin = System.IO.Path.Combine(Path, "plugins", PluginId, PluginVersion, "cards");
        Directory.CreateDirectory(plugin);
        File.WriteAllBytes(System.IO.Path.Combine(plugin, "greeter.js"), PluginFile);
        var asset = System.IO.Path.Combine(Path, "assets", AssetSha[..2]);
        Directory.CreateDirectory(asset);
        File.WriteAllBytes(System.IO.Path.Combine(asset, AssetSha), AssetBytes);
        var keys = System.IO.Path.Combine(Path, "keys", "dataprotection");
        Directory.CreateDirectory(keys);
        File.WriteAllText(System.IO.Path.Combine(keys, "key-0f8e2c7a-1111-2222-3333-444455556666.xml"), "<key id=\"0f8e2c7a\"><secret>not really</secret></key>");
        File.WriteAllText(System.IO.Path.Combine(Path, "keys", "local-publisher.json"), "{\"name\":\"local\",\"privateKey\":\"AAAA\"}");
        CreateDatabase(boardName);
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "labyrinth.db");

    public byte[] PluginFile { get; }

    public byte[] AssetBytes { get; }

    public string AssetSha { get; }

    public string PluginSha { get; }

    public string AssetPath => System.IO.Path.Combine(Path, "assets", AssetSha[..2], AssetSha);

    public static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>Appends an audit entry the way the host does (next in the chain).</summary>
    public void Audit(string action)
    {
        using var connection = Open();
        AuditEntry? head = null;
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT Sequence, AtUtc, Actor, Action, PluginId, DetailJson, PrevHash, Hash FROM AuditEntries ORDER BY Sequence DESC LIMIT 1";
            using var reader = read.ExecuteReader();
            if (reader.Read())
            {
                head = new AuditEntry(reader.GetInt64(0), DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                    reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7));
            }
        }

        var entry = AuditChain.Append(head, new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddMinutes(head?.Sequence ?? 0), "admin", action, null, "{}");
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO AuditEntries (Sequence, AtUtc, Actor, Action, PluginId, DetailJson, PrevHash, Hash) VALUES ($s, $at, $actor, $action, NULL, $d, $p, $h)";
        insert.Parameters.AddWithValue("$s", entry.Sequence);
        insert.Parameters.AddWithValue("$at", entry.AtUtc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$actor", entry.Actor);
        insert.Parameters.AddWithValue("$action", entry.Action);
        insert.Parameters.AddWithValue("$d", entry.DetailJson);
        insert.Parameters.AddWithValue("$p", entry.PrevHash);
        insert.Parameters.AddWithValue("$h", entry.Hash);
        insert.ExecuteNonQuery();
    }

    private void CreateDatabase(string boardName)
    {
        Execute("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
            INSERT INTO "__EFMigrationsHistory" VALUES ('20261125114812_Initial', '10.0.15'), ('20261125141110_CardsVaultThemes', '10.0.15');
            CREATE TABLE "Boards" ("Id" TEXT PRIMARY KEY, "Name" TEXT NOT NULL);
            CREATE TABLE "AuditEntries" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "Sequence" INTEGER NOT NULL, "AtUtc" TEXT NOT NULL, "Actor" TEXT NOT NULL,
                "Action" TEXT NOT NULL, "PluginId" TEXT NULL, "DetailJson" TEXT NOT NULL, "PrevHash" TEXT NOT NULL, "Hash" TEXT NOT NULL);
            CREATE TABLE "Assets" ("Id" TEXT PRIMARY KEY, "OwnerId" TEXT NOT NULL, "Sha256" TEXT NOT NULL, "Type" TEXT NOT NULL, "MediaType" TEXT NOT NULL,
                "Name" TEXT NOT NULL, "Bytes" INTEGER NOT NULL, "CreatedAt" TEXT NOT NULL);
            CREATE TABLE "PluginVersions" ("PluginId" TEXT NOT NULL, "Version" TEXT NOT NULL, "ManifestJson" TEXT NOT NULL, "FilesJson" TEXT NOT NULL,
                PRIMARY KEY ("PluginId", "Version"));
            CREATE TABLE "Secrets" ("Id" TEXT PRIMARY KEY, "Name" TEXT NOT NULL, "Protected" TEXT NOT NULL);
            """);
        Execute("INSERT INTO Boards VALUES ('b1', $name)", ("$name", boardName));
        Execute("INSERT INTO Assets VALUES ('a1', 'u1', $sha, 'image', 'image/png', $name, $bytes, '2026-01-01 12:00:00')",
            ("$sha", AssetSha), ("$name", AssetName), ("$bytes", AssetBytes.Length));
        var files = JsonSerializer.Serialize(new[] { new { path = "cards/greeter.js", sha256 = PluginSha, bytes = PluginFile.Length } });
        Execute("INSERT INTO PluginVersions VALUES ($id, $v, '{}', $files)", ("$id", PluginId), ("$v", PluginVersion), ("$files", files));
        Execute("INSERT INTO Secrets VALUES ('s1', 'OpenAI', 'CfDJ8-protected-bytes')");
        Audit("plugin.install");
        Audit("secret.create");
        Audit("asset.upload");
    }
}

/// <summary>Rewrites a backup archive the way damage or an attacker would: entries replaced, removed, added, or bytes flipped.</summary>
internal static class ArchiveEdits
{
    /// <summary>Copies every entry except those <paramref name="change"/> replaces (return bytes) or drops (return null).</summary>
    public static void Rewrite(string archive, Func<string, byte[], byte[]?> change, params (string Name, byte[] Bytes)[] add)
    {
        var entries = new List<(string Name, byte[] Bytes, int Attributes)>();
        using (var zip = ZipFile.OpenRead(archive))
        {
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                if (change(entry.FullName, copy.ToArray()) is { } bytes)
                {
                    entries.Add((entry.FullName, bytes, entry.ExternalAttributes));
                }
            }
        }

        File.Delete(archive);
        using var output = ZipFile.Open(archive, ZipArchiveMode.Create);
        foreach (var (name, bytes, attributes) in entries.Concat(add.Select(a => (a.Name, a.Bytes, 0))))
        {
            var entry = output.CreateEntry(name);
            entry.ExternalAttributes = attributes;
            using var stream = entry.Open();
            stream.Write(bytes);
        }
    }

    /// <summary>Flips one byte in the stored (compressed) data of <paramref name="entryName"/>, found through its local header.</summary>
    public static void FlipByteIn(string archive, string entryName, int offsetIntoData)
    {
        var bytes = File.ReadAllBytes(archive);
        var name = Encoding.ASCII.GetBytes(entryName);
        for (var i = 0; i + 30 + name.Length < bytes.Length; i++)
        {
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4b && bytes[i + 2] == 3 && bytes[i + 3] == 4 &&
                BitConverter.ToUInt16(bytes, i + 26) == name.Length && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                var data = i + 30 + name.Length + BitConverter.ToUInt16(bytes, i + 28);
                bytes[data + offsetIntoData] ^= 0x5A;
                File.WriteAllBytes(archive, bytes);
                return;
            }
        }

        throw new InvalidOperationException($"No local header for {entryName}.");
    }

    public static void EditManifest(string archive, Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonObject> edit) =>
        Rewrite(archive, (name, bytes) => name == "manifest.json"
            ? Encoding.UTF8.GetBytes(edit(System.Text.Json.Nodes.JsonNode.Parse(bytes)!.AsObject()).ToJsonString())
            : bytes);
}
