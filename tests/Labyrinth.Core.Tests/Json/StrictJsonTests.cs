using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;

namespace Labyrinth.Core.Tests.Json;

public sealed class StrictJsonTests
{
    private static (bool Parsed, List<PointerProblem> Problems) Parse(byte[] json, int maxDepth = 64)
    {
        var problems = new List<PointerProblem>();
        using var doc = StrictJson.Parse(json, "manifest", maxDepth, problems);
        return (doc is not null, problems);
    }

    private static (bool Parsed, List<PointerProblem> Problems) Parse(string json, int maxDepth = 64) => Parse(Encoding.UTF8.GetBytes(json), maxDepth);

    [Fact]
    public void Parse_PlainDocument_Parses()
    {
        var (parsed, problems) = Parse("""{"a": [1, -0, 2.5e10, "x", {"b": null}], "c": true}""");

        Assert.True(parsed);
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("""{"id": "a", "id": "b"}""", "/id")]
    [InlineData("""{"cards": [{"x": 1}, {"typeID": "a", "name": "n", "typeID": "b"}]}""", "/cards/1/typeID")]
    [InlineData("""{"a": {"b/c": 1, "b/c": 2}}""", "/a/b~1c")]
    [InlineData("""{"id": "a", "i\u0064": "b"}""", "/id")]
    public void Parse_DuplicateKey_PointsAtTheDuplicate(string json, string pointer)
    {
        var (parsed, problems) = Parse(json);

        Assert.False(parsed);
        var problem = Assert.Single(problems);
        Assert.Equal(pointer, problem.Pointer);
        Assert.Contains("appears more than once in this object", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameKeyInSiblingObjects_IsNotADuplicate() =>
        Assert.True(Parse("""{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]}""").Parsed);

    [Fact]
    public void Parse_SeveralDuplicates_ReportsEach() =>
        Assert.Equal(["/a", "/b/c"], Parse("""{"a": 1, "a": 2, "b": {"c": 1, "c": 2}}""").Problems.Select(p => p.Pointer));

    [Fact]
    public void Parse_ByteOrderMark_IsRefusedWithASentence()
    {
        var (parsed, problems) = Parse([0xEF, 0xBB, 0xBF, .. "{}"u8]);

        Assert.False(parsed);
        Assert.Equal("The manifest starts with a UTF-8 byte order mark (EF BB BF); save it as UTF-8 without a BOM.", Assert.Single(problems).Message);
    }

    [Fact]
    public void Parse_InvalidUtf8InAString_IsRefusedWithItsOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"name": "caf?"}""");
        bytes[13] = 0xFF;

        var (parsed, problems) = Parse(bytes);

        Assert.False(parsed);
        Assert.StartsWith("The manifest is not valid UTF-8: byte 13 (0xFF)", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Utf16_IsRefusedAsNotUtf8() =>
        Assert.Contains("not valid UTF-8", Assert.Single(Parse(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("{}")).ToArray()).Problems).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("""{"name": "\ud800"}""", "/name")]
    [InlineData("""{"a": ["ok", "x\udc00y"]}""", "/a/1")]
    [InlineData("""{"\ud800": 1}""", "/\\ud800")]
    public void Parse_UnpairedSurrogateEscape_IsRefusedWithPointer(string json, string pointer)
    {
        var problem = Assert.Single(Parse(json).Problems);

        Assert.Equal(pointer, problem.Pointer);
        Assert.Contains("unpaired surrogate", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PairedSurrogateEscape_IsText() => Assert.True(Parse("""{"icon": "\ud83d\ude00"}""").Parsed);

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1" + "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Parse_NumberNoDoubleHolds_IsRefusedWithPointer(string number)
    {
        var problem = Assert.Single(Parse("{\"cards\": [{\"defaultSizePt\": {\"width\": " + number + "}}]}").Problems);

        Assert.Equal("/cards/0/defaultSizePt/width", problem.Pointer);
        Assert.Contains("is too large for a number", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeperThanTheLimit_NamesTheLimitAndWhere()
    {
        var json = "{\"a\":" + new string('[', 10) + new string(']', 10) + "}";

        var problem = Assert.Single(Parse(json, maxDepth: 8).Problems);

        Assert.Equal("/a/0/0/0/0/0/0/0", problem.Pointer);
        Assert.Equal("The manifest nests objects and arrays more than 8 levels deep here.", problem.Message);
    }

    [Fact]
    public void Parse_VeryDeepNesting_IsRefusedWithoutExhaustingTheStack()
    {
        var json = new string('[', 100_000) + new string(']', 100_000);

        Assert.Contains("more than 64 levels deep", Assert.Single(Parse(json).Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_SaysSo() =>
        Assert.StartsWith("The manifest is not valid JSON:", Assert.Single(Parse("{\"a\": 1,}").Problems).Message, StringComparison.Ordinal);

    [Fact]
    public void Quote_LongText_IsCut() =>
        Assert.Equal("\"" + new string('k', StrictJson.MaxEchoLength) + "…\"", StrictJson.Quote(new string('k', 100_000)));
}
