using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests;

public sealed class ManifestValidatorTests
{
    private const string ValidManifest = """
        {
          "id": "dev.labyrinth.hello", "name": "Hello", "version": "1.0.0", "minHostAPIVersion": "1.0.0",
          "author": "Labyrinth", "description": "Greets.", "license": "MIT",
          "cards": [{
            "typeID": "hello", "name": "Hello", "icon": "👋",
            "runtime": { "kind": "web", "entry": "cards/hello.js" },
            "defaultSizePt": { "width": 320, "height": 220 },
            "minSizePt": { "width": 200, "height": 120 },
            "capabilities": ["network:openai", "fileRegistry:image", "crossCard:pubsub", "api:dev.labyrinth.notes"],
            "propsSchema": { "type": "object", "properties": { "name": { "type": "string", "maxLength": 80 } }, "additionalProperties": false }
          }]
        }
        """;

    private static readonly HashSet<string> PackageFiles = new(StringComparer.Ordinal) { "manifest.json", "cards/hello.js" };

    [Fact]
    public void Validate_ValidManifest_ReturnsManifest()
    {
        var result = ManifestValidator.Validate(Encoding.UTF8.GetBytes(ValidManifest), PackageFiles);

        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
        var card = Assert.Single(result.Manifest!.Cards);
        Assert.Equal("dev.labyrinth.hello", result.Manifest.Id);
        Assert.Equal("cards/hello.js", card.Entry);
        Assert.Equal(new SizePt(200, 120), card.MinSize);
        Assert.Equal(4, card.Capabilities.Count);
        Assert.NotNull(card.PropsSchema);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOneAtOnce()
    {
        var json = Mutate(root =>
        {
            root.Remove("id");
            root.Remove("name");
            root.Remove("version");
            root["extra"] = 1;
            root["cards"]![0]!["runtime"]!["entry"] = "../escape.js";
            root["cards"]![0]!["capabilities"] = new JsonArray("shell:exec");
        });

        var result = ManifestValidator.Validate(json, PackageFiles);

        Assert.False(result.IsValid);
        Assert.Null(result.Manifest);
        Assert.Equal(
            ["/cards/0/capabilities/0", "/cards/0/runtime/entry", "/extra", "/id", "/name", "/version"],
            result.Problems.Select(p => p.Pointer).Order(StringComparer.Ordinal));
        Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    }

    [Theory]
    [InlineData("id", null, "/id")]
    [InlineData("name", null, "/name")]
    [InlineData("version", null, "/version")]
    [InlineData("minHostAPIVersion", null, "/minHostAPIVersion")]
    [InlineData("id", "\"Hello\"", "/id")]
    [InlineData("id", "\"hello\"", "/id")]
    [InlineData("id", "42", "/id")]
    [InlineData("name", "\"  \"", "/name")]
    [InlineData("version", "\"1.0\"", "/version")]
    [InlineData("version", "\"v1.0.0\"", "/version")]
    [InlineData("version", "\"01.0.0\"", "/version")]
    [InlineData("minHostAPIVersion", "\"2.0.0\"", "/minHostAPIVersion")]
    [InlineData("minHostAPIVersion", "\"1.1.0\"", "/minHostAPIVersion")]
    [InlineData("minHostAPIVersion", "\"latest\"", "/minHostAPIVersion")]
    [InlineData("scripts", "{}", "/scripts")]
    [InlineData("a/b", "1", "/a~1b")]
    [InlineData("cards", "{}", "/cards")]
    [InlineData("cards/0/onLoad", "\"x\"", "/cards/0/onLoad")]
    [InlineData("cards/0/typeID", "\"Hello World\"", "/cards/0/typeID")]
    [InlineData("cards/0/runtime", null, "/cards/0/runtime")]
    [InlineData("cards/0/runtime/kind", "\"native\"", "/cards/0/runtime/kind")]
    [InlineData("cards/0/runtime/eval", "true", "/cards/0/runtime/eval")]
    [InlineData("cards/0/runtime/entry", "\"cards/missing.js\"", "/cards/0/runtime/entry")]
    [InlineData("cards/0/runtime/entry", "\"../other/x.js\"", "/cards/0/runtime/entry")]
    [InlineData("cards/0/runtime/entry", "\"/etc/passwd.js\"", "/cards/0/runtime/entry")]
    [InlineData("cards/0/runtime/entry", "\"cards\\\\hello.js\"", "/cards/0/runtime/entry")]
    [InlineData("cards/0/runtime/entry", "\"cards/hello.php\"", "/cards/0/runtime/entry")]
    [InlineData("cards/0/defaultSizePt", null, "/cards/0/defaultSizePt")]
    [InlineData("cards/0/defaultSizePt/width", "1", "/cards/0/defaultSizePt/width")]
    [InlineData("cards/0/minSizePt/height", "\"tall\"", "/cards/0/minSizePt/height")]
    [InlineData("cards/0/capabilities", "[\"network:*\"]", "/cards/0/capabilities/0")]
    [InlineData("cards/0/capabilities", "[\"fileRegistry:exe\"]", "/cards/0/capabilities/0")]
    [InlineData("cards/0/capabilities", "[\"crossCard:pubsub\", 7]", "/cards/0/capabilities/1")]
    [InlineData("cards/0/capabilities", "\"crossCard:pubsub\"", "/cards/0/capabilities")]
    [InlineData("cards/0/propsSchema", "\"object\"", "/cards/0/propsSchema")]
    [InlineData("cards/0/propsSchema", "{\"$ref\": \"https://evil.example/schema.json\"}", "/cards/0/propsSchema")]
    public void Validate_OneProblem_ReportsItsPointer(string path, string? json, string pointer)
    {
        var result = ManifestValidator.Validate(Mutate(root => Set(root, path, json)), PackageFiles);

        Assert.False(result.IsValid);
        Assert.Contains(pointer, result.Problems.Select(p => p.Pointer));
    }

    [Fact]
    public void Validate_DuplicateTypeId_PointsAtSecondCard()
    {
        var json = Mutate(root => root["cards"]!.AsArray().Add(root["cards"]![0]!.DeepClone()));

        var result = ManifestValidator.Validate(json, PackageFiles);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/cards/1/typeID", problem.Pointer);
    }

    [Fact]
    public void Validate_NullPropsSchema_IsAccepted()
    {
        // The SDK build writes "propsSchema": null for cards without props (plugins/probe), and the
        // API contract types it as "object | null".
        var result = ManifestValidator.Validate(Mutate(root => root["cards"]![0]!["propsSchema"] = null), PackageFiles);

        Assert.Empty(result.Problems);
        Assert.Null(result.Manifest!.Cards[0].PropsSchema);
    }

    [Fact]
    public void Validate_WithoutPackageFileList_SkipsEntryExistenceCheck()
    {
        var result = ManifestValidator.Validate(Encoding.UTF8.GetBytes(ValidManifest));

        Assert.True(result.IsValid);
    }

    [Fact]
    public void Validate_OversizeManifest_IsRefusedBeforeParsing()
    {
        var json = Mutate(root => root["description"] = new string('x', ManifestValidator.MaxManifestBytes));

        var result = ManifestValidator.Validate(json, PackageFiles);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("", problem.Pointer);
        Assert.Contains("limit", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"id\": 'single'}")]
    [InlineData("[]")]
    [InlineData("\"manifest\"")]
    public void Validate_NotAJsonObject_ReportsRootProblem(string text)
    {
        var result = ManifestValidator.Validate(Encoding.UTF8.GetBytes(text), PackageFiles);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("", problem.Pointer);
        Assert.Null(result.Manifest);
    }

    [Fact]
    public void Validate_DeeplyNestedJson_IsRefusedNotCrashed()
    {
        var text = "{\"configSchema\":" + new string('[', 200) + new string(']', 200) + "}";

        var result = ManifestValidator.Validate(Encoding.UTF8.GetBytes(text), PackageFiles);

        Assert.False(result.IsValid);
    }

    private static byte[] Mutate(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(ValidManifest)!.AsObject();
        change(root);
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>Sets (or with null, removes) the value at a slash-separated path; "a/b" with no such parent is a root key.</summary>
    private static void Set(JsonObject root, string path, string? json)
    {
        var segments = path.Split('/');
        if (segments.Length > 1 && !root.ContainsKey(segments[0]))
        {
            segments = [path];
        }

        JsonNode parent = root;
        foreach (var segment in segments[..^1])
        {
            parent = int.TryParse(segment, out var index) ? parent[index]! : parent[segment]!;
        }

        var last = segments[^1];
        if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent[last] = JsonNode.Parse(json);
        }
    }
}
