using System.Text.Json;
using Labyrinth.Core.Messaging;

namespace Labyrinth.Core.Tests.Messaging;

public sealed class TopicRulesTests
{
    public static TheoryData<string, string, bool> Vectors()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var v in LoadVectors())
        {
            data.Add(v.GetProperty("pattern").GetString()!, v.GetProperty("topic").GetString()!, v.GetProperty("match").GetBoolean());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_SharedVector_AgreesWithExpected(string pattern, string topic, bool expected)
    {
        var actual = TopicRules.Matches(pattern, topic);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Vectors_File_CoversMatchesAndMisses()
    {
        var vectors = LoadVectors();

        Assert.Contains(vectors, v => v.GetProperty("match").GetBoolean());
        Assert.Contains(vectors, v => !v.GetProperty("match").GetBoolean());
        Assert.True(vectors.Count >= 30);
    }

    [Theory]
    [InlineData("math:expression:changed")]
    [InlineData("a:b:c")]
    [InlineData("x-1:y-2:z-3")]
    public void IsValidTopic_WellFormed_IsTrue(string topic) => Assert.True(TopicRules.IsValidTopic(topic));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("math:expression")]
    [InlineData("math:expression:changed:now")]
    [InlineData("math:*:changed")]
    [InlineData("Math:expression:changed")]
    [InlineData("math:expres sion:changed")]
    [InlineData("math:expression:changed\n")]
    [InlineData("math::changed")]
    public void IsValidTopic_Malformed_IsFalse(string? topic) => Assert.False(TopicRules.IsValidTopic(topic));

    [Theory]
    [InlineData("math:*:changed")]
    [InlineData("*:*:*")]
    [InlineData("math:expression:changed")]
    public void IsValidPattern_WholeSegmentWildcards_IsTrue(string pattern) => Assert.True(TopicRules.IsValidPattern(pattern));

    [Theory]
    [InlineData("math:ex*:changed")]
    [InlineData("**:a:b")]
    [InlineData("math:*")]
    [InlineData(".*:a:b")]
    public void IsValidPattern_PartialOrRegexWildcards_IsFalse(string pattern) => Assert.False(TopicRules.IsValidPattern(pattern));

    [Fact]
    public void IsValidTopic_OverMaxLength_IsFalse()
    {
        var topic = "a:b:" + new string('c', TopicRules.MaxLength - 3);

        Assert.False(TopicRules.IsValidTopic(topic));
    }

    [Fact]
    public void Explain_Valid_IsNull() => Assert.Null(TopicRules.Explain("a:b:c", allowWildcard: false));

    [Fact]
    public void Explain_WildcardInPublish_SaysNoWildcards()
    {
        var message = TopicRules.Explain("a:*:c", allowWildcard: false);

        Assert.NotNull(message);
        Assert.Contains("no wildcards", message, StringComparison.Ordinal);
    }

    private static List<JsonElement> LoadVectors()
    {
        var path = FindRepoFile(Path.Combine("tests", "vectors", "topics.json"));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Shared test vectors not found.", relative);
    }
}
