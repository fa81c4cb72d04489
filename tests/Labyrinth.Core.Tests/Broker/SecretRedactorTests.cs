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
