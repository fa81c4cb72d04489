using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

namespace Labyrinth.Host.Tests.Governance;

/// <summary>Builds .labyrinthplugin packages (good and hostile) in memory for the governance tests.</summary>
internal static class Packages
{
    public static Dictionary<string, byte[]> Plugin(string id, string version, IReadOnlyDictionary<string, string>? dependencies = null, string script = "export default 1;")
    {
        var manifest = new Dictionary<string, object>
        {
            ["id"] = id,
            ["name"] = "Test " + id,
            ["version"] = version,
            ["minHostAPIVersion"] = "1.0.0",
            ["cards"] = new[]
            {
                new { typeID = "t", name = "T", runtime = new { kind = "web", entry = "cards/t.js" }, defaultSizePt = new { width = 320, height = 240 } },
            },
        };
        if (dependencies is not null)
        {
            manifest["dependencies"] = dependencies;
        }

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["manifest.json"] = JsonSerializer.SerializeToUtf8Bytes(manifest),
            ["cards/t.js"] = Encoding.UTF8.GetBytes(script),
        };
    }

    public static Dictionary<string, byte[]> Sign(Dictionary<string, byte[]> files, PublisherKey key)
    {
        var signed = new Dictionary<string, byte[]>(files, StringComparer.Ordinal)
        {
            [PackageReader.SignaturePath] = PackageSignature.Sign(files.Select(f => PackageDigest.Describe(f.Key, f.Value)), key),
        };
        return signed;
    }

    public static byte[] Zip(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, bytes) in files)
            {
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(bytes);
            }
        }

        return output.ToArray();
    }

    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] package, bool rollback = false)
    {
        var content = new ByteArrayContent(package);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PostAsync("/api/admin/plugins" + (rollback ? "?rollback=true" : ""), content);
    }
}
