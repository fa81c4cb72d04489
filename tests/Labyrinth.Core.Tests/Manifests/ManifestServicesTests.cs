using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests.Manifests;

public sealed class ManifestServicesTests
{
    private const string AddMethod = """
        {
          "description": "Adds two numbers.",
          "input": { "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } }, "required": ["a", "b"], "additionalProperties": false },
          "output": { "type": "object", "properties": { "sum": { "type": "number" } }, "required": ["sum"] },
          "examples": [{ "title": "Two and three", "input": { "a": 2, "b": 3 }, "output": { "sum": 5 } }]
        }
        """;

    private static JsonObject Root(JsonNode? services, JsonNode? api, bool withCard = false)
    {
        var root = new JsonObject
        {
            ["id"] = "dev.example.clock",
            ["name"] = "Clock",
            ["version"] = "1.0.0",
            ["minHostAPIVersion"] = "1.0.0",
        };
        if (withCard)
        {
            root["cards"] = new JsonArray(new JsonObject
            {
                ["typeID"] = "face",
                ["name"] = "Face",
                ["runtime"] = new JsonObject { ["kind"] = "web", ["entry"] = "cards/face.js" },
                ["defaultSizePt"] = new JsonObject { ["width"] = 320, ["height"] = 240 },
            });
        }

        if (services is not null)
        {
            root["services"] = services;
        }

        if (api is not null)
        {
            root["api"] = api;
        }

        return root;
    }

    private static JsonObject Service(string id = "main", string entry = "services/main.js") =>
        new JsonObject { ["id"] = id, ["entry"] = entry };

    private static JsonNode Api(string methods) => JsonNode.Parse($$"""{"version":"1.0.0","methods":{{methods}}}""")!;

    private static ManifestValidationResult Validate(JsonObject root, IReadOnlySet<string>? files = null) =>
        ManifestValidator.Validate(Encoding.UTF8.GetBytes(root.ToJsonString()), files);

    private static string Problems(ManifestValidationResult r) => string.Join("; ", r.Problems.Select(p => p.Pointer + " " + p.Message));

    [Fact]
    public void Validate_ServiceAndApi_AreOnTheManifestWithCompiledSchemas()
    {
        var root = Root(new JsonArray(Service()), Api($$"""{"add":{{AddMethod}}}"""));

        var result = Validate(root, new HashSet<string> { "services/main.js" });

        Assert.True(result.IsValid, Problems(result));
        var service = Assert.Single(result.Manifest!.Services);
        Assert.Equal(("main", "services/main.js"), (service.Id, service.Entry));
        var api = result.Manifest.Api!;
        Assert.Equal("main", api.ServiceId);
        var add = api.Methods["add"];
        Assert.Empty(add.CheckInput(JsonDocument.Parse("""{"a":1,"b":2}""").RootElement));
        Assert.Single(add.Examples);
    }

    [Fact]
    public void Validate_OnlyAService_IsAPlugin()
    {
        var result = Validate(Root(new JsonArray(Service()), null));

        Assert.True(result.IsValid, Problems(result));
    }

    [Theory]
    [InlineData("""[{"id":"Main","entry":"services/main.js"}]""", "/services/0/id")]
    [InlineData("""[{"id":"main","entry":"services/main.html"}]""", "/services/0/entry")]
    [InlineData("""[{"id":"main","entry":"../main.js"}]""", "/services/0/entry")]
    [InlineData("""[{"id":"main","entry":"services/main.js","capabilities":["network:openai"]}]""", "/services/0/capabilities/0")]
    [InlineData("""[{"id":"main","entry":"services/main.js","capabilities":["fileRegistry:image"]}]""", "/services/0/capabilities/0")]
    [InlineData("""[{"id":"main","entry":"services/main.js","topics":{"publish":["a:*:c"]}}]""", "/services/0/topics/publish/0")]
    [InlineData("""[{"id":"main","entry":"services/main.js","start":"eager"}]""", "/services/0/start")]
    [InlineData("""[{"id":"main","entry":"services/main.js"},{"id":"main","entry":"services/b.js"}]""", "/services/1/id")]
    [InlineData("""{"id":"main"}""", "/services")]
    public void Validate_BadService_NamesItsPointer(string services, string pointer)
    {
        var result = Validate(Root(JsonNode.Parse(services), null, withCard: true));

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void Validate_ServiceEntryNotInPackage_IsRefused()
    {
        var result = Validate(Root(new JsonArray(Service()), null), new HashSet<string> { "cards/face.js" });

        Assert.Contains(result.Problems, p => p.Pointer == "/services/0/entry" && p.Message.Contains("not in the package", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"type":"strnig"}""", "/api/methods/add/input/type")]
    [InlineData("""{"type":"string","pattern":"^(a+)+$"}""", "/api/methods/add/input/pattern")]
    [InlineData("""{"type":"object","patternProperties":{"x":{}}}""", "/api/methods/add/input/patternProperties")]
    [InlineData("""{"type":"string","format":"email"}""", "/api/methods/add/input/format")]
    [InlineData("""{"$ref":"https://evil.example/schema.json"}""", "/api/methods/add/input/$ref")]
    [InlineData("""{"$ref":"#/definitions/missing"}""", "/api/methods/add/input/$ref")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"number","minimum":"0"}}}""", "/api/methods/add/input/properties/a/minimum")]
    [InlineData("""{"type":"object","properties":{"a":{"maxLength":-1}}}""", "/api/methods/add/input/properties/a/maxLength")]
    [InlineData("""{"type":"array","items":[{"type":"string"}]}""", "/api/methods/add/input/items")]
    [InlineData("""{"type":"object","required":["a","a"]}""", "/api/methods/add/input/required/1")]
    [InlineData("""{"type":"object","x-extension":true}""", "/api/methods/add/input/x-extension")]
    [InlineData("""{"enum":[]}""", "/api/methods/add/input/enum")]
    [InlineData("""{"const":3}""", "/api/methods/add/input/const")]
    [InlineData("""[]""", "/api/methods/add/input")]
    public void Validate_BadInputSchema_NamesItsPointer(string schema, string pointer)
    {
        var method = "{\"add\":{\"description\":\"d\",\"input\":" + schema + ",\"output\":{\"type\":\"number\"}}}";

        var result = Validate(Root(new JsonArray(Service()), Api(method)));

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void Validate_DeeplyNestedSchema_IsRefusedAtItsLimit()
    {
        var schema = string.Concat(Enumerable.Repeat("""{"type":"array","items":""", 40)) + """{"type":"string"}""" + new string('}', 40);
        var method = "{\"add\":{\"description\":\"d\",\"input\":" + schema + ",\"output\":{\"type\":\"number\"}}}";

        var result = Validate(Root(new JsonArray(Service()), Api(method)));

        Assert.Contains(result.Problems, p => p.Message.Contains($"at most {ApiSchemaRules.MaxDepth} levels", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ExampleThatBreaksItsSchema_NamesThePointerInsideTheExample()
    {
        var method = """
            {"add":{"description":"d",
              "input":{"type":"object","properties":{"a":{"type":"number"}},"required":["a"]},
              "output":{"type":"number"},
              "examples":[{"title":"wrong","input":{"a":"two"},"output":2}]}}
            """;

        var result = Validate(Root(new JsonArray(Service()), Api(method)));

        Assert.Contains(result.Problems, p => p.Pointer == "/api/methods/add/examples/0/input/a");
    }

    [Theory]
    [InlineData("""{"version":"1.0.0","methods":{"Add":{"description":"d","input":{},"output":{}}}}""", "/api/methods/Add")]
    [InlineData("""{"version":"one","methods":{"add":{"description":"d","input":{},"output":{}}}}""", "/api/version")]
    [InlineData("""{"version":"1.0.0","methods":{}}""", "/api/methods")]
    [InlineData("""{"version":"1.0.0","service":"other","methods":{"add":{"description":"d","input":{},"output":{}}}}""", "/api/service")]
    [InlineData("""{"version":"1.0.0","methods":{"add":{"input":{},"output":{}}}}""", "/api/methods/add/description")]
    [InlineData("""{"version":"1.0.0","methods":{"add":{"description":"d","output":{}}}}""", "/api/methods/add/input")]
    public void Validate_BadApi_NamesItsPointer(string api, string pointer)
    {
        var result = Validate(Root(new JsonArray(Service()), JsonNode.Parse(api)));

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void Validate_ApiWithoutAService_IsRefused()
    {
        var result = Validate(Root(null, Api($$"""{"add":{{AddMethod}}}"""), withCard: true));

        Assert.Contains(result.Problems, p => p.Pointer == "/api" && p.Message.Contains("services", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"a":1}""", "/b")]
    [InlineData("""{"a":"1","b":2}""", "/a")]
    [InlineData("""{"a":1,"b":2,"c":3}""", "/c")]
    public void CheckInput_BadValue_HasPointerIntoTheValue(string input, string pointer)
    {
        var result = Validate(Root(new JsonArray(Service()), Api($$"""{"add":{{AddMethod}}}""")));
        var add = result.Manifest!.Api!.Methods["add"];

        var problems = add.CheckInput(JsonDocument.Parse(input).RootElement);

        Assert.Contains(problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void CheckInput_NestedArrayItem_HasIndexInPointer()
    {
        var method = """
            {"sum":{"description":"d",
              "input":{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"number"}}}}}},
              "output":{"type":"number"}}}
            """;
        var api = Validate(Root(new JsonArray(Service()), Api(method))).Manifest!.Api!;

        var problems = api.Methods["sum"].CheckInput(JsonDocument.Parse("""{"items":[{"n":1},{"n":"x"}]}""").RootElement);

        Assert.Equal("/items/1/n", Assert.Single(problems).Pointer);
    }

    [Theory]
    [InlineData("""{"enum":[3]}""", "3", "4")]
    [InlineData("""{"type":"number","exclusiveMinimum":0}""", "1", "0")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "[1,2]", "[1,1]")]
    [InlineData("""{"oneOf":[{"type":"string"},{"type":"number"}]}""", "\"a\"", "true")]
    [InlineData("""{"definitions":{"p":{"type":"integer"}},"$ref":"#/definitions/p"}""", "2", "2.5")]
    [InlineData("""{"not":{"type":"null"}}""", "1", "null")]
    public void SupportedKeyword_IsEnforcedByTheHostValidator(string schema, string good, string bad)
    {
        var method = "{\"m\":{\"description\":\"d\",\"input\":" + schema + ",\"output\":{}}}";
        var result = Validate(Root(new JsonArray(Service()), Api(method)));
        Assert.True(result.IsValid, Problems(result));
        var m = result.Manifest!.Api!.Methods["m"];

        Assert.Empty(m.CheckInput(JsonDocument.Parse(good).RootElement));
        Assert.NotEmpty(m.CheckInput(JsonDocument.Parse(bad).RootElement));
    }
}
