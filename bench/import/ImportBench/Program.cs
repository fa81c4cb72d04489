// Import benchmark: a deterministic 10 MB, 1,000-file plugin package and the hello package,
// (a) through Labyrinth.Core only (PackageValidator.Validate +
// PackageSignature.Verify) and (b) end to end through a running host (POST /api/admin/plugins
// with a personal access token). Median of RUNS after WARMUPS, every run a fresh install.
//
// usage: ImportBench <repoRoot> <outDir> <hostDll> [runs=10] [warmups=2]
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

var inv = CultureInfo.InvariantCulture;
var repo = Path.GetFullPath(args[0]);
var outDir = Path.GetFullPath(args[1]);
var hostDll = Path.GetFullPath(args[2]);
var runs = args.Length > 3 ? int.Parse(args[3], inv) : 10;
var warmups = args.Length > 4 ? int.Parse(args[4], inv) : 2;
Directory.CreateDirectory(outDir);

using var key = PublisherKey.Generate("import-bench");
var trust = new TrustStore([new TrustedKey(key.Name, key.PublicKey)]);

// Versions: warm-ups 0.0.1.., measured 1.0.0..1.0.(runs-1), ascending so each is an upgrade.
var versions = Enumerable.Range(1, warmups).Select(i => $"0.0.{i}").Concat(Enumerable.Range(0, runs).Select(i => $"1.0.{i}")).ToArray();

Log("generating packages");
var sw = Stopwatch.StartNew();
var big = GenerateBigContents();
var hello = ReadPluginDir(Path.Combine(repo, "plugins", "hello", "dist"));
var kinds = new[]
{
    new Kind("big", "10 MB / 1,000 files", versions.Select(v => Pack(WithVersion(big, v), key)).ToArray()),
    new Kind("hello", "hello (plugins/hello/dist)", versions.Select(v => Pack(WithVersion(hello, v), key)).ToArray()),
};
Log($"generated in {sw.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", kinds.Select(k => $"{k.Name} {k.Packages[^1].Length:N0} B, {CountEntries(k.Packages[^1])} entries")));

// (a) Core only.
var core = new Dictionary<string, List<double>>();
foreach (var kind in kinds)
{
    var times = new List<double>();
    for (var i = 0; i < warmups + runs; i++)
    {
        var bytes = kind.Packages[warmups]; // the same 1.0.0 bytes every time; Core keeps no state
        var dir = Directory.CreateTempSubdirectory("import-bench-").FullName;
        try
        {
            var t = Stopwatch.StartNew();
            using (var stream = new MemoryStream(bytes, writable: false))
            {
                var validation = PackageValidator.Validate(stream, dir);
                if (!validation.IsValid) throw new InvalidOperationException(string.Join("; ", validation.Problems));
                var verdict = PackageSignature.Verify(validation.Files, validation.SignatureBytes, trust);
                if (verdict is not SignatureVerdict.Trusted) throw new InvalidOperationException("verdict " + verdict);
            }

            t.Stop();
            if (i >= warmups) times.Add(t.Elapsed.TotalMilliseconds);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    core[kind.Name] = times;
    Log($"core {kind.Name}: median {Median(times):F1} ms");
}

// (b) End to end through a host.
var e2e = new Dictionary<string, List<double>>();
var dataDir = Directory.CreateTempSubdirectory("import-bench-data-").FullName;
var noPlugins = Directory.CreateTempSubdirectory("import-bench-noplugins-").FullName;
var port = FreePort();
var baseUri = new Uri($"http://127.0.0.1:{port}");
var hostLog = new StringBuilder();
var setupUrl = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = repo };
psi.ArgumentList.Add(hostDll);
psi.ArgumentList.Add("--urls");
psi.ArgumentList.Add(baseUri.ToString().TrimEnd('/'));
psi.Environment["Labyrinth__DataDir"] = dataDir;
psi.Environment["Labyrinth__ExamplePluginsDir"] = noPlugins;
psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
psi.Environment["Logging__LogLevel__Default"] = "Warning";
psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
using var host = Process.Start(psi)!;
void OnLine(string? line)
{
    if (line is null) return;
    lock (hostLog) hostLog.AppendLine(line);
    // "/setup#token=" (a fragment) since the link stopped carrying it in the query; a base build may print "?token=".
    var at = line.IndexOf("/setup#token=", StringComparison.Ordinal) is >= 0 and var hash ? hash : line.IndexOf("/setup?token=", StringComparison.Ordinal);
    if (at >= 0)
    {
        var token = line[(at + "/setup#token=".Length)..];
        var end = token.IndexOfAny([' ', '\t']);
        setupUrl.TrySetResult(end < 0 ? token : token[..end]);
    }
}

host.OutputDataReceived += (_, e) => OnLine(e.Data);
host.ErrorDataReceived += (_, e) => OnLine(e.Data);
host.BeginOutputReadLine();
host.BeginErrorReadLine();
try
{
    var setupToken = await setupUrl.Task.WaitAsync(TimeSpan.FromSeconds(90));
    using var cookies = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = baseUri };
    cookies.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
    await Ok(await cookies.PostAsJsonAsync("/api/setup", new { token = setupToken, userName = "admin", password = "import-bench-password" }));
    var tokenJson = await Ok(await cookies.PostAsJsonAsync("/api/tokens", new { name = "import-bench" }));
    var pat = JsonNode.Parse(tokenJson)!["token"]!.GetValue<string>();
    await Ok(await cookies.PostAsJsonAsync("/api/admin/trust", new { name = key.Name, publicKey = Convert.ToBase64String(key.PublicKey) }));

    using var api = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
    api.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pat);
    foreach (var kind in kinds)
    {
        var times = new List<double>();
        for (var i = 0; i < versions.Length; i++)
        {
            using var content = new ByteArrayContent(kind.Packages[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var t = Stopwatch.StartNew();
            using var response = await api.PostAsync("/api/admin/plugins", content);
            var body = await response.Content.ReadAsStringAsync();
            t.Stop();
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"{kind.Name} {versions[i]}: {(int)response.StatusCode} {body}");
            if (i >= warmups) times.Add(t.Elapsed.TotalMilliseconds);
        }

        e2e[kind.Name] = times;
        Log($"e2e {kind.Name}: median {Median(times):F1} ms");
    }
}
catch
{
    lock (hostLog) Console.Error.WriteLine(hostLog.ToString());
    throw;
}
finally
{
    if (!host.HasExited) host.Kill(entireProcessTree: true);
    await host.WaitForExitAsync();
    TryDelete(dataDir);
    TryDelete(noPlugins);
}

// Report.
var md = new StringBuilder();
md.AppendLine(inv, $"{runs} runs after {warmups} warm-ups each; ms. Core = `PackageValidator.Validate` (zip rules, manifest, themes) into a fresh temp dir + `PackageSignature.Verify` (in process, same bytes each run). Host = `POST /api/admin/plugins` with a bearer token, request sent to response read, a new version each run (1.0.0..1.0.{runs - 1}), host in Production on loopback.");
md.AppendLine();
md.AppendLine("| package | bytes | entries | path | median ms | min ms | max ms | all runs ms |");
md.AppendLine("|---|---:|---:|---|---:|---:|---:|---|");
foreach (var kind in kinds)
{
    foreach (var (path, data) in new[] { ("Core", core), ("host", e2e) })
    {
        var t = data[kind.Name];
        md.AppendLine(inv, $"| {kind.Label} | {kind.Packages[warmups].Length:N0} | {CountEntries(kind.Packages[warmups])} | {path} | {Median(t):F1} | {t.Min():F1} | {t.Max():F1} | {string.Join(", ", t.Select(x => x.ToString(x < 10 ? "F1" : "F0", inv)))} |");
    }
}

File.WriteAllText(Path.Combine(outDir, "import.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "import.json"), JsonSerializer.Serialize(new
{
    runs,
    warmups,
    packages = kinds.Select(k => new { k.Name, bytes = k.Packages[warmups].Length, entries = CountEntries(k.Packages[warmups]) }),
    coreMs = core,
    hostMs = e2e,
}, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine(md.ToString());
return 0;

static void Log(string message) => Console.Error.WriteLine($"[import-bench {DateTime.Now:HH:mm:ss}] {message}");

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static async Task<string> Ok(HttpResponseMessage response)
{
    using (response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return body;
    }
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static void TryDelete(string dir)
{
    try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

static int CountEntries(byte[] zip)
{
    using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
    return archive.Entries.Count;
}

// The manifest plus 999 files (1,000 entries before SIGNATURE): a third incompressible
// (random bytes as .png/.woff2/.wasm/.webp), two thirds compressible text (.js/.css/.json/.md/.svg/.txt)
// made of words drawn from a small vocabulary (roughly 3-4:1 under deflate, far below the 100:1 cap).
static SortedDictionary<string, byte[]> GenerateBigContents()
{
    var rng = new Random(20261125);
    var words = new[]
    {
        "const", "let", "function", "return", "import", "export", "from", "await", "async", "class", "this", "new",
        "card", "board", "window", "props", "bridge", "host", "frame", "labyrinth", "plugin", "manifest", "render",
        "state", "update", "value", "items", "length", "index", "map", "filter", "reduce", "if", "else", "for", "of",
        "=>", "{", "}", "(", ")", ";", "=", "+", "-", "*", "&&", "||", "null", "true", "false", "undefined",
    };
    var contents = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
    var binaryExt = new[] { ".png", ".woff2", ".wasm", ".webp" };
    var textExt = new[] { ".js", ".css", ".json", ".md", ".svg", ".txt" };
    contents["cards/main.js"] = Encoding.UTF8.GetBytes("export default function mount(el) { el.textContent = 'import bench'; }\n");
    for (var i = 1; i < 999; i++)
    {
        var dir = $"assets/d{i % 20:D2}";
        if (i % 3 == 0)
        {
            // Incompressible: 4..20 KiB of random bytes (mean ~12 KiB, ~4 MB in all).
            var bytes = new byte[rng.Next(4 * 1024, 20 * 1024)];
            rng.NextBytes(bytes);
            contents[$"{dir}/blob-{i:D4}{binaryExt[i % binaryExt.Length]}"] = bytes;
        }
        else
        {
            // Compressible: 12..36 KiB of text (mean ~24 KiB, ~16 MB raw in all).
            var target = rng.Next(12 * 1024, 36 * 1024);
            var text = new StringBuilder(target + 32);
            while (text.Length < target)
            {
                text.Append(words[rng.Next(words.Length)]);
                text.Append(rng.Next(8) == 0 ? '\n' : ' ');
                if (rng.Next(6) == 0) text.Append(rng.Next(100000).ToString(CultureInfo.InvariantCulture)).Append(' ');
            }

            contents[$"{dir}/text-{i:D4}{textExt[i % textExt.Length]}"] = Encoding.UTF8.GetBytes(text.ToString());
        }
    }

    contents["manifest.json"] = Encoding.UTF8.GetBytes("""
        {
          "id": "dev.labyrinth.bench-import",
          "name": "Import bench",
          "version": "0.0.0",
          "minHostAPIVersion": "1.0.0",
          "description": "Generated by bench/import: 1,000 files of mixed compressible and incompressible content.",
          "license": "MIT",
          "cards": [{
            "typeID": "main", "name": "Import bench", "icon": "📦",
            "runtime": { "kind": "web", "entry": "cards/main.js" },
            "defaultSizePt": { "width": 320, "height": 220 },
            "capabilities": [],
            "propsSchema": null
          }]
        }
        """);
    return contents;
}

// Same selection as the host's ExamplePlugins.Pack: build-manifest.json and .br/.gz left out.
static SortedDictionary<string, byte[]> ReadPluginDir(string dir)
{
    var contents = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
    foreach (var full in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
    {
        var rel = Path.GetRelativePath(dir, full).Replace(Path.DirectorySeparatorChar, '/');
        if (rel == "build-manifest.json" || rel.EndsWith(".br", StringComparison.Ordinal) || rel.EndsWith(".gz", StringComparison.Ordinal))
            continue;
        contents[rel] = File.ReadAllBytes(full);
    }

    return contents;
}

static SortedDictionary<string, byte[]> WithVersion(SortedDictionary<string, byte[]> contents, string version)
{
    var copy = new SortedDictionary<string, byte[]>(contents, StringComparer.Ordinal);
    var manifest = JsonNode.Parse(contents[PackageReader.ManifestPath])!;
    manifest["version"] = version;
    copy[PackageReader.ManifestPath] = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    return copy;
}

// The one package writer the CLI and the host's example plugins use.
static byte[] Pack(SortedDictionary<string, byte[]> contents, PublisherKey key) => PackageWriter.Write(contents, key);

internal sealed record Kind(string Name, string Label, byte[][] Packages);
