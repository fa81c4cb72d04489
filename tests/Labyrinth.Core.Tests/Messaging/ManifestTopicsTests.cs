using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests.Messaging;

public sealed class ManifestTopicsTests
{
    private static byte[] Manifest(JsonNode? topics)
    {
        var card = new JsonObject
        {
            ["typeID"] = "calc",
            ["name"] = "Calc",
            ["runtime"] = new JsonObject { ["kind"] = "web", ["entry"] = "cards/calc.js" },
            ["defaultSizePt"] = new JsonObject { ["width"] = 320, ["height"] = 240 },
        };
        if (topics is not null)
        {
            card["topics"] = topics;
        }

        var root = new JsonObject
        {
            ["id"] = "dev.example.calc",
            ["name"] = "Calc",
            ["version"] = "1.0.0",
            ["minHostAPIVersion"] = "1.0.0",
            ["cards"] = new JsonArray(card),
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    [Fact]
    public void Validate_DeclaredTopics_AreOnTheCard()
    {
        var json = Manifest(JsonNode.Parse("""{"publish":["math:expression:changed"],"subscribe":["math:*:changed","notes:item:created"]}"""));

        var result = ManifestValidator.Validate(json);

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => p.Pointer + " " + p.Message)));
        var card = Assert.Single(result.Manifest!.Cards);
        Assert.Equal(["math:expression:changed"], card.Topics.Publish);
        Assert.Equal(["math:*:changed", "notes:item:created"], card.Topics.Subscribe);
    }

    [Fact]
    public void Validate_NoTopics_IsEmpty()
    {
        var result = ManifestValidator.Validate(Manifest(null));

        Assert.Empty(result.Manifest!.Cards[0].Topics.Publish);
        Assert.Empty(result.Manifest.Cards[0].Topics.Subscribe);
    }

    [Theory]
    [InlineData("""{"publish":["math:*:changed"]}""", "/cards/0/topics/publish/0")]
    [InlineData("""{"publish":["Math:expression:changed"]}""", "/cards/0/topics/publish/0")]
    [InlineData("""{"subscribe":["a:b"]}""", "/cards/0/topics/subscribe/0")]
    [InlineData("""{"subscribe":["a:b*:c"]}""", "/cards/0/topics/subscribe/0")]
    [InlineData("""{"subscribe":["a:b:c","x:y:z","a:b:c"]}""", "/cards/0/topics/subscribe/2")]
    [InlineData("""{"subscribe":[7]}""", "/cards/0/topics/subscribe/0")]
    [InlineData("""{"subscribe":"a:b:c"}""", "/cards/0/topics/subscribe")]
    [InlineData("""{"other":[]}""", "/cards/0/topics/other")]
    [InlineData("""["a:b:c"]""", "/cards/0/topics")]
    public void Validate_BadTopics_PointsAtTheEntry(string topics, string pointer)
    {
        var result = ManifestValidator.Validate(Manifest(JsonNode.Parse(topics)));

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer);
    }

    [Fact]
    public void Validate_MoreThan32Topics_IsRefused()
    {
        var list = new JsonArray(Enumerable.Range(0, 33).Select(i => (JsonNode)JsonValue.Create($"a:b:c{i}")!).ToArray());

        var result = ManifestValidator.Validate(Manifest(new JsonObject { ["publish"] = list }));

        Assert.Contains(result.Problems, p => p.Pointer == "/cards/0/topics/publish");
    }
}
