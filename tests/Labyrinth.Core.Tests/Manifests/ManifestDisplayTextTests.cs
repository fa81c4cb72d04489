using System.Text;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Text;

namespace Labyrinth.Core.Tests.Manifests;

/// <summary>
/// Strings a manifest declares are drawn by the host (spawn menu, consent prompts, the admin page
/// and settings form): a bidi override in a name reverses the rest of "Let {name} use …?", a line
/// separator starts a new line, so those characters are refused with the string's pointer.
/// </summary>
public sealed class ManifestDisplayTextTests
{
    private static ManifestValidationResult Validate(string name = "Clock", string cardName = "Clock", string description = "Tells the time.", string title = "Time zone")
    {
        var manifest = new Dictionary<string, object>
        {
            ["id"] = "com.example.clock",
            ["name"] = name,
            ["version"] = "1.0.0",
            ["minHostAPIVersion"] = "1.0.0",
            ["description"] = description,
            ["cards"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["typeID"] = "clock",
                    ["name"] = cardName,
                    ["runtime"] = new Dictionary<string, object> { ["kind"] = "web", ["entry"] = "cards/x.js" },
                    ["defaultSizePt"] = new Dictionary<string, object> { ["width"] = 100, ["height"] = 100 },
                    ["capabilities"] = Array.Empty<string>(),
                },
            },
            ["configSchema"] = new Dictionary<string, object>
            {
                ["type"] = "object",
                ["properties"] = new Dictionary<string, object> { ["zone"] = new Dictionary<string, object> { ["type"] = "string", ["title"] = title } },
            },
        };
        var json = System.Text.Json.JsonSerializer.Serialize(manifest);
        return ManifestValidator.Validate(Encoding.UTF8.GetBytes(json), new HashSet<string> { "cards/x.js", "manifest.json" });
    }

    [Fact]
    public void Validate_PlainStrings_IsValid()
    {
        var result = Validate();

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => $"{p.Pointer}: {p.Message}")));
    }

    [Theory]
    [InlineData("\u202E")]
    [InlineData("\u2067")]
    [InlineData("\u2028")]
    [InlineData("\u0007")]
    [InlineData("\n")]
    public void Validate_NameWithDeceptiveCharacter_IsRefusedAtName(string bad)
    {
        var result = Validate(name: "Clock" + bad + "kcolC");

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == "/name" && p.Message.Contains("U+", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CardNameWithBidiOverride_IsRefusedAtItsPointer()
    {
        var result = Validate(cardName: "Notes\u202Dx");

        Assert.Contains(result.Problems, p => p.Pointer == "/cards/0/name");
    }

    [Fact]
    public void Validate_ConfigTitleWithBidiOverride_IsRefusedAtItsPointer()
    {
        var result = Validate(title: "Zone\u202E");

        Assert.Contains(result.Problems, p => p.Pointer == "/configSchema/properties/zone/title");
    }

    [Fact]
    public void Validate_DescriptionOnSeveralLines_IsValid()
    {
        var result = Validate(description: "Tells the time.\nIn every zone.\r\n\tEven yours.");

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => $"{p.Pointer}: {p.Message}")));
    }

    [Fact]
    public void Validate_RightToLeftNameWithMark_IsValid()
    {
        var result = Validate(name: "\u05E9\u05E2\u05D5\u05DF\u200F");

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => $"{p.Pointer}: {p.Message}")));
    }

    [Fact]
    public void Scrub_DeceptiveCharacters_BecomeSpaces()
    {
        Assert.Equal("a b c d e", DisplayText.Scrub("a\u202Eb\u2029c\u0000d\u2066e"));
    }

    [Fact]
    public void Scrub_RightToLeftMark_IsKept()
    {
        Assert.Equal("\u05D0\u200F", DisplayText.Scrub("\u05D0\u200F"));
    }

    [Theory]
    [InlineData("\u200B")] // zero-width space
    [InlineData("\u2060")] // word joiner
    [InlineData("\uFEFF")] // byte order mark
    [InlineData("\u00AD")] // soft hyphen
    [InlineData("\uFFF9")] // interlinear annotation anchor
    [InlineData("\U000E0041")] // tag LATIN CAPITAL LETTER A: hidden ASCII
    [InlineData("\U000E0100")] // variation selector 17
    [InlineData("\u3164")] // Hangul filler: draws as nothing
    [InlineData("\u2800")] // blank braille pattern
    public void Validate_NameWithInvisibleCharacter_IsRefusedAtName(string bad)
    {
        var result = Validate(name: "Clock" + bad);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == "/name" && p.Message.Contains("invisible", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NameSpellingHiddenTextInTagCharacters_IsRefused()
    {
        var hidden = string.Concat("ignore previous".Select(c => char.ConvertFromUtf32(0xE0000 + c)));

        var result = Validate(cardName: "Notes" + hidden);

        Assert.Contains(result.Problems, p => p.Pointer == "/cards/0/name" && p.Message.Contains("U+E0069", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TitleWithStackedCombiningMarks_IsRefusedAtItsPointer()
    {
        var result = Validate(title: "Zo" + new string('\u0336', DisplayText.MaxCombiningMarks + 1) + "ne");

        Assert.Contains(result.Problems, p => p.Pointer == "/configSchema/properties/zone/title" && p.Message.Contains("combining marks", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // Persian with a zero-width non-joiner
    [InlineData("\U0001F469\u200D\U0001F4BB Notes")] // an emoji ZWJ sequence
    [InlineData("\u2764\uFE0F Notes")] // emoji presentation selector
    [InlineData("Tie\u0302\u0301ng Vie\u0323\u0302t")] // Vietnamese, decomposed: two marks on a letter
    [InlineData("\u0F56\u0F66\u0F92\u0FB2\u0F74\u0F56\u0F66")] // Tibetan stack
    public void Validate_NameInAScriptThatNeedsJoinersOrMarks_IsValid(string name)
    {
        var result = Validate(name: name);

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => $"{p.Pointer}: {p.Message}")));
    }

    [Fact]
    public void Scrub_TagCharacters_BecomeSpacesWithNoHalfOfAPairLeft()
    {
        var scrubbed = DisplayText.Scrub("a\U000E0041\U000E0042b");

        Assert.Equal("a  b", scrubbed);
    }

    [Fact]
    public void Scrub_StackedCombiningMarks_KeepsAtMostTheLimitPerCharacter()
    {
        var scrubbed = DisplayText.Scrub("Z" + new string('\u0336', 40) + "o");

        Assert.Equal("Z" + new string('\u0336', DisplayText.MaxCombiningMarks) + "o", scrubbed);
    }

    [Fact]
    public void Scrub_UnpairedSurrogate_BecomesASpace()
    {
        Assert.Equal("a b", DisplayText.Scrub("a\uD800b"));
    }

    [Fact]
    public void Clip_AtTheMiddleOfASurrogatePair_CutsBeforeIt()
    {
        Assert.Equal("ab…", DisplayText.Clip("ab\U0001F600cd", 3));
    }
}

