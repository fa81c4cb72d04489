using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class SecretRedactorTests
{
    private const string Secret = "sk-live-123456";

    private static string Run(params string[] chunks)
    {
        var redactor = new SecretRedactor(Secret);
        return string.Concat(chunks.Select(redactor.Push)) + redactor.Flush();
    }

    [Fact]
    public void Push_SecretInOneChunk_IsReplaced() => Assert.Equal("auth: [redacted]!", Run("auth: sk-live-123456!"));

    [Fact]
    public void Push_SecretSplitAcrossChunks_IsReplaced() => Assert.Equal("a [redacted] b", Run("a sk-li", "ve-12", "3456 b"));

    [Fact]
    public void Push_TextWithoutSecret_IsReleasedAtOnce()
    {
        var redactor = new SecretRedactor(Secret);
        Assert.Equal("data: hello\n\n", redactor.Push("data: hello\n\n"));
    }

    [Fact]
    public void Flush_PrefixThatNeverCompletes_IsReleased() => Assert.Equal("x sk-li", Run("x sk-li"));
}

public sealed class SecretRedactorFormsTests
{
    private const string Secret = "sk+live/key=9";

    [Theory]
    [InlineData("url: https://x/?key=sk%2Blive%2Fkey%3D9 end")]
    [InlineData("url: https://x/?key=sk%2blive%2fkey%3d9 end")]
    [InlineData("{\"auth\":\"sk\\u002Blive/key=9\"} end")]
    [InlineData("{\"auth\":\"sk+live\\/key=9\"} end")]
    public void Push_SecretEchoedEncoded_IsReplaced(string echoed)
    {
        var redactor = new SecretRedactor(Secret);

        var text = redactor.Push(echoed) + redactor.Flush();

        Assert.Contains(SecretRedactor.Replacement, text, StringComparison.Ordinal);
        Assert.DoesNotContain("live", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Push_EncodedSecretSplitAcrossChunks_IsReplaced()
    {
        var redactor = new SecretRedactor(Secret);

        var text = redactor.Push("a sk%2Bli") + redactor.Push("ve%2Fkey%3D9 b") + redactor.Flush();

        Assert.Equal("a [redacted] b", text);
    }

    [Fact]
    public void RedactWhole_HeaderEchoingSecret_IsReplaced()
    {
        var redactor = new SecretRedactor(Secret);

        Assert.Equal("org [redacted]", redactor.RedactWhole("org sk+live/key=9"));
    }
}
