using System.Text.Json;
using Labyrinth.Core.Ink;

namespace Labyrinth.Core.Tests.Ink;

public sealed class StrokeCodecTests
{
    private static JsonElement Vector()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "tests", "vectors", "ink-stroke.json")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException("tests/vectors/ink-stroke.json");
        }

        return JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tests", "vectors", "ink-stroke.json"))).RootElement;
    }

    [Fact]
    public void Encode_SharedVector_MatchesTheBytesThePageDecodes()
    {
        var v = Vector();
        var points = v.GetProperty("points").EnumerateArray().Select(p => p.GetDouble()).ToArray();

        var encoded = StrokeCodec.Encode(points, out var bounds);

        Assert.Equal(v.GetProperty("base64").GetString(), Convert.ToBase64String(encoded));
        Assert.Equal(new StrokeBounds(0, -2, 1000.0625, 3), bounds);
    }

    [Fact]
    public void Decode_Encoded_RoundTripsWithinHalfAStep()
    {
        var points = new double[] { -999_999.97, 999_999.99, 0.25, 12.34, 56.78, 0.75, 12.4, 56.7, 1 };

        var decoded = StrokeCodec.Decode(StrokeCodec.Encode(points, out _));

        for (var i = 0; i < points.Length; i++)
        {
            Assert.Equal(points[i], decoded[i], i % 3 == 2 ? 1 / 255.0 : InkRules.Quantum / 2);
        }
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 2, 1, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 2, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 })]
    public void Decode_BytesTheCodecDidNotWrite_Throws(byte[] data) =>
        Assert.Throws<FormatException>(() => StrokeCodec.Decode(data));

    [Theory]
    [InlineData(new double[] { 0, 0 }, false)]
    [InlineData(new double[] { double.NaN, 0, 0.5 }, false)]
    [InlineData(new double[] { 0, 1_000_000.5, 0.5 }, false)]
    [InlineData(new double[] { 0, 0, -0.1 }, false)]
    [InlineData(new double[] { 1_000_000, -1_000_000, 1 }, true)]
    public void CheckPoints_Bounds_AreEnforced(double[] flat, bool ok) =>
        Assert.Equal(ok, InkRules.CheckPoints(flat, out _) is null);

    [Theory]
    [InlineData("#A1b2C3", "#a1b2c3")]
    [InlineData("currentColor", "currentColor")]
    [InlineData("red", null)]
    [InlineData("#a1b2c3ff", null)]
    [InlineData("currentcolor", null)]
    public void NormalizeColor_OnlyHexOrDefaultInk(string color, string? expected) =>
        Assert.Equal(expected, InkRules.NormalizeColor(color));
}
