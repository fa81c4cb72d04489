using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;
using NJsonSchema;

namespace Labyrinth.Core.Tests.Manifests;

/// <summary>
/// The published manifest schema must agree with <see cref="ManifestValidator"/> (which stays
/// authoritative) on the shipped plugins and on the usual mistakes, and the SDK copy must be
/// byte-identical to the embedded one.
/// </summary>
public sealed class ManifestSchemaTests
{
    private const string Valid = """
        {
          "id": "com.example.sample", "name": "Sample", "version": "1.2.3-beta.1+build.5", "minHostAPIVersion": "1.0.0",
          "dependencies": { "com.example.base": "^1.2.0" },
          "cards": [{
            "typeID": "sample", "name": "Sample", "icon": "🧭",
            "runtime": { "kind": "web", "entry": "cards/sample.js", "source": "src/Sample.svelte" },
            "defaultSizePt": { "width": 320, "height": 220 },
            "capabilities": ["network:openai", "fileRegistry:image", "crossCard:pubsub", "api:com.example.base"],
            "propsSchema": null
          }]
        }
        """;

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromJsonAsync(Encoding.UTF8.GetString(ManifestSchema.Utf8.Span)).GetAwaiter().GetResult());

    public static TheoryData<string> ShippedManifests()
    {
        var data = new TheoryData<string>();
        foreach (var plugin in Directory.EnumerateDirectories(Path.Combine(RepoRoot(), "plugins")).Order(StringComparer.Ordinal))
        {
            foreach (var manifest in new[] { "manifest.json", "dist/manifest.json" })
            {
                if (File.Exists(Path.Combine(plugin, manifest)))
                {
                    data.Add(Path.GetRelativePath(RepoRoot(), Path.Combine(plugin, manifest)).Replace('\\', '/'));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedManifests))]
    public void ShippedManifest_ValidatesAgainstSchema(string relativePath)
    {
        var json = File.ReadAllText(Path.Combine(RepoRoot(), relativePath));

        var errors = Schema.Value.Validate(json);

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
        Assert.True(ManifestValidator.Validate(Encoding.UTF8.GetBytes(json)).IsValid);
    }

    [Fact]
    public void ShippedManifests_AreFound()
    {
        Assert.True(ShippedManifests().Count >= 3);
    }

    [Fact]
    public void ValidManifest_PassesSchemaAndValidator()
    {
        Assert.Empty(Schema.Value.Validate(Valid));
        Assert.True(ManifestValidator.Validate(Encoding.UTF8.GetBytes(Valid)).IsValid);
    }

    [Theory]
    [InlineData("unknown root key", "$.extra", "true")]
    [InlineData("unknown card key", "$.cards[0].extra", "true")]
    [InlineData("unknown runtime key", "$.cards[0].runtime.extra", "true")]
    [InlineData("unknown size key", "$.cards[0].defaultSizePt.depth", "3")]
    [InlineData("bad capability", "$.cards[0].capabilities[0]", "\"filesystem:read\"")]
    [InlineData("capability of unknown file kind", "$.cards[0].capabilities[0]", "\"fileRegistry:video\"")]
    [InlineData("version with a v", "$.version", "\"v1.0.0\"")]
    [InlineData("version with leading zero", "$.version", "\"1.02.0\"")]
    [InlineData("id not reverse-DNS", "$.id", "\"Sample\"")]
    [InlineData("typeID upper case", "$.cards[0].typeID", "\"Sample\"")]
    [InlineData("runtime kind", "$.cards[0].runtime.kind", "\"native\"")]
    [InlineData("entry with ..", "$.cards[0].runtime.entry", "\"../x.js\"")]
    [InlineData("entry absolute", "$.cards[0].runtime.entry", "\"/cards/x.js\"")]
    [InlineData("entry backslash", "$.cards[0].runtime.entry", "\"cards\\\\x.js\"")]
    [InlineData("entry not js", "$.cards[0].runtime.entry", "\"cards/x.css\"")]
    [InlineData("size too small", "$.cards[0].defaultSizePt.width", "39")]
    [InlineData("size not a number", "$.cards[0].defaultSizePt.width", "\"320\"")]
    [InlineData("propsSchema not an object", "$.cards[0].propsSchema", "true")]
    [InlineData("blank name", "$.name", "\"  \"")]
    [InlineData("dependency key not an id", "$.dependencies.base", "\"^1.0.0\"")]
    [InlineData("dependency value not a string", "$.dependencies['com.example.base']", "1")]
    public void InvalidManifest_FailsSchemaAndValidator(string why, string path, string valueJson)
    {
        var json = Set(Valid, path, valueJson);

        Assert.True(Schema.Value.Validate(json).Count > 0, $"the schema accepted: {why}");
        Assert.False(ManifestValidator.Validate(Encoding.UTF8.GetBytes(json)).IsValid, $"the validator accepted: {why}");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("version")]
    [InlineData("cards")]
    public void MissingRequiredKey_FailsSchemaAndValidator(string key)
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        node.Remove(key);
        var json = node.ToJsonString();

        Assert.NotEmpty(Schema.Value.Validate(json));
        Assert.False(ManifestValidator.Validate(Encoding.UTF8.GetBytes(json)).IsValid);
    }

    [Fact]
    public void ThemesInsteadOfCards_PassesSchemaAndValidator()
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        node.Remove("cards");
        node["themes"] = new JsonArray();
        var json = node.ToJsonString();

        Assert.Empty(Schema.Value.Validate(json));
        Assert.True(ManifestValidator.Validate(Encoding.UTF8.GetBytes(json)).IsValid);
    }

    [Fact]
    public void EmbeddedSchema_IsByteIdenticalToSdkCopy()
    {
        var sdk = File.ReadAllBytes(Path.Combine(RepoRoot(), "sdk", "schemas", "manifest.v1.json"));

        Assert.True(sdk.AsSpan().SequenceEqual(ManifestSchema.Utf8.Span),
            "sdk/schemas/manifest.v1.json differs from src/Labyrinth.Core/Manifests/manifest.v1.schema.json; copy the source file over the SDK one.");
    }

    [Fact]
    public void EmbeddedSchema_DocumentsEveryProperty()
    {
        var root = JsonNode.Parse(ManifestSchema.Utf8.Span)!;
        var missing = new List<string>();
        Walk(root, "#", missing);

        Assert.Empty(missing);

        static void Walk(JsonNode node, string pointer, List<string> missing)
        {
            if (node is not JsonObject obj)
            {
                return;
            }

            if (obj["properties"] is JsonObject properties)
            {
                foreach (var (name, property) in properties)
                {
                    if (property is JsonObject p && (p["title"] is null || p["description"] is null))
                    {
                        missing.Add(pointer + "/properties/" + name);
                    }
                }
            }

            foreach (var (name, child) in obj)
            {
                if (child is not null)
                {
                    Walk(child, pointer + "/" + name, missing);
                }
            }
        }
    }

    private static string Set(string json, string path, string valueJson)
    {
        var root = JsonNode.Parse(json)!;
        var segments = System.Text.RegularExpressions.Regex.Matches(path, @"\.([A-Za-z]+)|\[(\d+)\]|\['([^']+)'\]")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Success ? m.Groups[3].Value : m.Groups[2].Value)
            .ToList();
        var parent = root;
        foreach (var segment in segments[..^1])
        {
            parent = int.TryParse(segment, out var i) && parent is JsonArray a ? a[i]! : parent[segment]!;
        }

        var value = JsonNode.Parse(valueJson);
        if (parent is JsonArray array)
        {
            array[int.Parse(segments[^1])] = value;
        }
        else
        {
            parent[segments[^1]] = value;
        }

        return root.ToJsonString();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Labyrinth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Labyrinth.slnx not found above " + AppContext.BaseDirectory);
    }
}
