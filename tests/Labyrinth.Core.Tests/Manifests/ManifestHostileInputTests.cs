using System.Text;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Versioning;

namespace Labyrinth.Core.Tests.Manifests;

/// <summary>Manifests written to make two readers disagree, or to make the validator work or shout.</summary>
public sealed class ManifestHostileInputTests
{
    private static readonly HashSet<string> Files = new(StringComparer.Ordinal) { "manifest.json", "cards/t.js" };

    private static string Manifest(string version = "1.0.0", string card = "", string root = "") => $$"""
        {
          "id": "com.example.tool", "name": "Tool", "version": "{{version}}", "minHostAPIVersion": "1.0.0"{{root}},
          "cards": [{ "typeID": "t", "name": "T", "runtime": { "kind": "web", "entry": "cards/t.js" },
                      "defaultSizePt": { "width": 320, "height": 240 }{{card}} }]
        }
        """;

    private static ManifestValidationResult Validate(string json) => ManifestValidator.Validate(Encoding.UTF8.GetBytes(json), Files);

    [Fact]
    public void Validate_BaseManifest_IsValid() => Assert.True(Validate(Manifest()).IsValid);

    [Fact]
    public void Validate_DuplicateId_IsRefusedAtThePointerOfTheSecond()
    {
        var result = Validate(Manifest().Replace("\"id\": \"com.example.tool\",", "\"id\": \"com.example.tool\", \"id\": \"com.example.other\",", StringComparison.Ordinal));

        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("/id", problem.Pointer);
        Assert.Contains("The key \"id\" appears more than once", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateKeyInsidePropsSchema_IsRefused()
    {
        var result = Validate(Manifest(card: """, "propsSchema": { "type": "object", "additionalProperties": false, "additionalProperties": true }"""));

        Assert.Equal("/cards/0/propsSchema/additionalProperties", Assert.Single(result.Problems).Pointer);
    }

    [Fact]
    public void Validate_ManifestNotUtf8_IsRefusedNotThrown()
    {
        var bytes = Encoding.UTF8.GetBytes(Manifest().Replace("\"Tool\"", "\"Toolé\"", StringComparison.Ordinal));
        bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xFF;

        var result = ManifestValidator.Validate(bytes, Files);

        Assert.Contains("not valid UTF-8", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManifestWithByteOrderMark_IsRefusedWithASentence()
    {
        var result = ManifestValidator.Validate([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Manifest())], Files);

        Assert.Contains("byte order mark", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99999999999999999999.0.0", "major version 99999999999999999999")]
    [InlineData("1.9007199254740992.0", "minor version 9007199254740992")]
    [InlineData("1.0.9007199254740992", "patch version 9007199254740992")]
    [InlineData("1.0.0-beta.9007199254740992", "pre-release number 9007199254740992")]
    public void Validate_VersionNumberBeyondTwoToThe53_IsRefusedSayingSo(string version, string what)
    {
        var result = Validate(Manifest(version));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/version", problem.Pointer);
        Assert.Contains(what, problem.Message, StringComparison.Ordinal);
        Assert.Contains("is above 9007199254740991 (2^53−1)", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9007199254740991.9007199254740991.9007199254740991")]
    [InlineData("1.0.0-9007199254740991")]
    [InlineData("1.0.0-beta99999999999999999999")]
    public void Validate_VersionNumbersAtTheLimitOrAlphanumeric_AreAccepted(string version) =>
        Assert.True(Validate(Manifest(version)).IsValid);

    [Fact]
    public void Validate_MinHostVersionBeyondTwoToThe53_IsRefused() =>
        Assert.Equal("/minHostAPIVersion", Assert.Single(Validate(Manifest().Replace("\"minHostAPIVersion\": \"1.0.0\"", "\"minHostAPIVersion\": \"0.99999999999999999999.0\"", StringComparison.Ordinal)).Problems).Pointer);

    [Theory]
    [InlineData("^99999999999999999999.0.0")]
    [InlineData(">=1.0.0 <1.0.0-rc.99999999999999999999")]
    [InlineData("1.0.0 - 9007199254740992.0.0")]
    [InlineData("1.x || 9007199254740992.x")]
    public void Validate_DependencyRangeWithNumberBeyondTwoToThe53_IsRefused(string range)
    {
        var result = Validate(Manifest(root: $", \"dependencies\": {{ \"com.example.base\": \"{range}\" }}"));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/dependencies/com.example.base", problem.Pointer);
        Assert.Contains("2^53−1", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^9007199254740991.0.0")]
    [InlineData(">=1.2.3-alpha.7 <2.0.0")]
    [InlineData("~1.2 || 3.x")]
    public void Validate_DependencyRangeWithinTheLimit_IsAccepted(string range) =>
        Assert.True(Validate(Manifest(root: $", \"dependencies\": {{ \"com.example.base\": \"{range}\" }}")).IsValid);

    [Fact]
    public void Validate_CapabilityListedTwice_IsRefusedAtTheSecond()
    {
        var result = Validate(Manifest(card: """, "capabilities": ["network:openai", "crossCard:pubsub", "network:openai"]"""));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/cards/0/capabilities/2", problem.Pointer);
        Assert.Equal("The capability \"network:openai\" is listed twice.", problem.Message);
    }

    [Theory]
    [InlineData("publish", "math:expression:changed")]
    [InlineData("subscribe", "math:*:changed")]
    public void Validate_TopicListedTwice_IsRefusedAtTheSecond(string list, string topic)
    {
        var result = Validate(Manifest(card: $", \"topics\": {{ \"{list}\": [\"{topic}\", \"{topic}\"] }}"));

        var problem = Assert.Single(result.Problems);
        Assert.Equal($"/cards/0/topics/{list}/1", problem.Pointer);
        Assert.Contains("listed twice", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ThousandsOfUnknownKeys_ReportsTheFirstHundredAndACount()
    {
        var keys = string.Concat(Enumerable.Range(0, 5000).Select(i => $", \"k{i}\": 1"));

        var result = Validate(Manifest(root: keys));

        Assert.Equal(ManifestValidator.MaxProblems + 1, result.Problems.Count);
        Assert.Equal("…and 4900 more problems.", result.Problems[^1].Message);
    }

    [Fact]
    public void Validate_HugeUnknownKey_IsEchoedCut()
    {
        var key = new string('k', 100_000);

        var problem = Assert.Single(Validate(Manifest(root: $", \"{key}\": 1")).Problems);

        Assert.True(problem.Message.Length < 200, problem.Message);
    }

    [Fact]
    public void Validate_NumberBeyondDoubleAsSize_IsRefusedAsTooLarge()
    {
        var problem = Assert.Single(Validate(Manifest().Replace("\"width\": 320", "\"width\": 1e400", StringComparison.Ordinal)).Problems);

        Assert.Equal("/cards/0/defaultSizePt/width", problem.Pointer);
        Assert.Contains("too large for a number", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionRules_Parse_AcceptsTheLimitAndRefusesOneMore()
    {
        Assert.NotNull(VersionRules.Parse("9007199254740991.0.0", out _));
        Assert.Null(VersionRules.Parse("9007199254740992.0.0", out var problem));
        Assert.Equal("\"9007199254740992.0.0\": the major version 9007199254740992 is above 9007199254740991 (2^53−1), the largest number a version may use so that every reader (JavaScript included) compares it exactly.", problem);
    }
}
