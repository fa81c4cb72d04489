using System.Text.Json;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests;

public sealed class PropsValidatorTests
{
    private static readonly JsonElement HelloSchema = Parse("""
        { "type": "object", "properties": { "name": { "type": "string", "maxLength": 5 } }, "additionalProperties": false }
        """);

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"name":"Ada"}""")]
    public void Validate_MatchingProps_HasNoErrors(string props) =>
        Assert.Empty(PropsValidator.Validate(HelloSchema, Parse(props)));

    [Theory]
    [InlineData("""{"name":42}""")]
    [InlineData("""{"name":"too long"}""")]
    [InlineData("[]")]
    public void Validate_MismatchedProps_ReportsErrors(string props) =>
        Assert.NotEmpty(PropsValidator.Validate(HelloSchema, Parse(props)));

    [Fact]
    public void Validate_UnknownPropWithAdditionalPropertiesFalse_NamesIt()
    {
        var errors = PropsValidator.Validate(HelloSchema, Parse("""{"extra":1}"""));

        var error = Assert.Single(errors);
        Assert.Contains("\"extra\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnknownPropWithAdditionalPropertiesTrue_IsAllowed()
    {
        var open = Parse("""{ "type": "object", "additionalProperties": true }""");

        Assert.Empty(PropsValidator.Validate(open, Parse("""{"anything":[1,2,3]}""")));
    }

    [Fact]
    public void Validate_MissingRequiredProp_SaysRequired()
    {
        var schema = Parse("""{ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }""");

        var error = Assert.Single(PropsValidator.Validate(schema, Parse("{}")));

        Assert.Contains("required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckSchema_ValidSchema_ReturnsNull() => Assert.Null(PropsValidator.CheckSchema(HelloSchema));

    [Theory]
    [InlineData("\"object\"")]
    [InlineData("[]")]
    [InlineData("""{"$ref":"https://evil.example/s.json"}""")]
    [InlineData("""{"properties":{"a":{"$ref":"http://169.254.169.254/latest"}}}""")]
    public void CheckSchema_UnusableSchema_ExplainsWhy(string schema) =>
        Assert.NotNull(PropsValidator.CheckSchema(Parse(schema)));

    [Fact]
    public void CheckSchema_OversizeSchema_IsRefused()
    {
        var schema = Parse($$"""{"description":"{{new string('x', PropsValidator.MaxSchemaBytes)}}"}""");

        Assert.NotNull(PropsValidator.CheckSchema(schema));
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
