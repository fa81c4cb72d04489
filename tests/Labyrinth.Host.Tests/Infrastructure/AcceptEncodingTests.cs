using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace Labyrinth.Host.Tests.Infrastructure;

/// <summary>The in-place Accept-Encoding reader answers as the typed header parser did.</summary>
public sealed class AcceptEncodingTests
{
    [Theory]
    [InlineData("br", "br", true)]
    [InlineData("gzip, deflate, br, zstd", "br", true)]
    [InlineData("gzip, deflate, br, zstd", "gzip", true)]
    [InlineData("BR", "br", true)]
    [InlineData(" gzip ;q=0.5 , br ; q=1", "br", true)]
    [InlineData("br;q=0.001", "br", true)]
    [InlineData("br;Q=1.0", "br", true)]
    [InlineData("br;level=5", "br", true)]
    [InlineData("br;q=0", "br", false)]
    [InlineData("br;q=0.000", "br", false)]
    [InlineData("br;q=0, br;q=1", "br", true)]
    [InlineData("br;q=abc", "br", false)]
    [InlineData("br;q=-1", "br", false)]
    [InlineData("br;q=2", "br", false)]
    [InlineData("gzip", "br", false)]
    [InlineData("brotli", "br", false)]
    [InlineData("xbr", "br", false)]
    [InlineData("", "br", false)]
    [InlineData(",,;", "br", false)]
    public void Accepts_HeaderValue_AnswersWhetherTheCodingIsAccepted(string header, string coding, bool accepted)
    {
        Assert.Equal(accepted, AcceptEncoding.Accepts(new StringValues(header), coding));
    }

    [Fact]
    public void Accepts_CodingInALaterHeaderLine_IsAccepted()
    {
        Assert.True(AcceptEncoding.Accepts(new StringValues(["gzip", "br"]), "br"));
        Assert.False(AcceptEncoding.Accepts(StringValues.Empty, "br"));
    }
}
