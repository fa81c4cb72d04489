using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;

namespace Labyrinth.Host.Tests.Plugins;

/// <summary>
/// Compressed variants of plugin files are kept in the data directory between starts, so a
/// restart does not compress every installed version again; a stored variant is served only when
/// it decodes to the file it stands for.
/// </summary>
public sealed class VariantCacheTests : IDisposable
{
    private const string HelloJs = "/plugins/dev.labyrinth.hello/1.0.0/cards/hello.js";

    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "labyrinth-variants-" + Guid.NewGuid().ToString("N"));
    private readonly string examplesDir = Path.Combine(Path.GetTempPath(), "labyrinth-variants-examples-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] helloJs = File.ReadAllBytes(Path.Combine(PluginFileTests.RepoRoot(), "plugins", "hello", "dist", "cards", "hello.js"));

    public VariantCacheTests()
    {
        // Only the hello plugin: the others are not needed and compressing them is slow.
        CopyDirectory(Path.Combine(PluginFileTests.RepoRoot(), "plugins", "hello", "dist"), Path.Combine(examplesDir, "hello", "dist"));
    }

    private string BrotliVariant => Path.Combine(dataDir, "cache", "variants", Sha[..2], Sha + ".br-smallest");

    private string Sha => Convert.ToHexStringLower(SHA256.HashData(helloJs));

    [Fact]
    public async Task Restart_StoredVariantOfTheSameFile_IsServedAsStored()
    {
        await using (var first = Start())
        {
            using var _ = await GetAsync(first, "br");
        }

        // Another valid encoding of the same bytes (fastest level, so it differs from what the
        // host writes): a host that compresses again would serve its own bytes instead.
        var replacement = Compress(helloJs, b => new BrotliStream(b, CompressionLevel.Fastest, leaveOpen: true));
        Assert.True(File.Exists(BrotliVariant), "the first start stored the brotli variant");
        Assert.NotEqual(File.ReadAllBytes(BrotliVariant), replacement);
        File.WriteAllBytes(BrotliVariant, replacement);

        await using var again = Start();
        using var response = await GetAsync(again, "br");

        Assert.Equal(replacement, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Restart_StoredVariantDecodingToOtherBytes_IsNotServed()
    {
        await using (var first = Start())
        {
            using var _ = await GetAsync(first, "br");
        }

        // An attacker-written variant: valid brotli, other content.
        File.WriteAllBytes(BrotliVariant, Compress("alert('not hello')"u8.ToArray(), b => new BrotliStream(b, CompressionLevel.Optimal, leaveOpen: true)));

        await using var again = Start();
        using var response = await GetAsync(again, "br");

        await using var decoder = new BrotliStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await decoder.CopyToAsync(plain);
        Assert.Equal(helloJs, plain.ToArray());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var dir in new[] { dataDir, examplesDir })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }

    private LabyrinthApp Start() => new(new Dictionary<string, string?>
    {
        ["Labyrinth:DataDir"] = dataDir,
        ["Labyrinth:ExamplePluginsDir"] = examplesDir,
        ["Labyrinth:InstallTestPlugins"] = "false",
    }, kestrel: true);

    private static async Task<HttpResponseMessage> GetAsync(LabyrinthApp app, string encoding)
    {
        using var client = await app.CreateClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, await CardSites.WithCapabilityAsync(client, HelloJs));
        request.Headers.Host = CardSites.HostFor(client, "dev.labyrinth.hello", "1.0.0"); // plugin files live on their card origin
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        var response = await client.SendAsync(request);
        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        return response;
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> create)
    {
        using var output = new MemoryStream();
        using (var stream = create(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
