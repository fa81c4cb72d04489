using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Host.Tests;

public sealed class PayloadTests(SharedApp shared) : IClassFixture<SharedApp>
{
    [Fact]
    public async Task Payload_PutThenGet_RoundTrips()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";

        using var put = await owner.PutAsJsonAsync(url, new { payload = new { count = 7, text = "hi" } });
        var stored = await owner.GetJsonAsync(url);

        await Expect.StatusAsync(HttpStatusCode.OK, put);
        Assert.Equal(1, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        Assert.Equal(7, stored.GetProperty("payload").GetProperty("count").GetInt32());
        Assert.Equal("hi", stored.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(1, stored.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Payload_NeverWritten_IsNull()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);

        var stored = await owner.GetJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload");

        Assert.Equal(JsonValueKind.Null, stored.GetProperty("payload").ValueKind);
        Assert.Equal(0, stored.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Payload_OverOneMiB_Returns413()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);

        using var response = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = new string('x', 1024 * 1024) });

        await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload.too_large", response);
    }

    [Fact]
    public async Task Payload_UnderLimitInCharactersOverInUtf8Bytes_Returns413()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        // 1 MiB − 8 characters of JSON, 1 MiB + 12 bytes of UTF-8: the limit is in bytes.
        var text = new string('x', (1024 * 1024) - 30) + new string('é', 20);
        using var body = new StringContent("{\"payload\":\"" + text + "\"}", Encoding.UTF8, "application/json");

        using var response = await owner.PutAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", body);

        var problem = await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload.too_large", response);
        Assert.Contains("1048576 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payload_DeclaredLengthOverLimit_Returns413BeforeTheBodyArrives()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var release = new TaskCompletionSource();
        using var body = new StalledContent(release.Task, 2 * 1024 * 1024);
        // Only a bound on a hang: a host that reads before checking waits for bytes that never come.
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            using var response = await owner.PutAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", body, hang.Token);

            await Expect.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload.too_large", response);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Payload_SmallBodyWithContentLength_RoundTrips()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";
        using var content = new StringContent("{\"payload\":{\"n\":\"é\"}}", Encoding.UTF8, "application/json");
        Assert.NotNull(content.Headers.ContentLength);

        using var put = await owner.PutAsync(url, content);
        var stored = await owner.GetJsonAsync(url);

        await Expect.StatusAsync(HttpStatusCode.OK, put);
        Assert.Equal("é", stored.GetProperty("payload").GetProperty("n").GetString());
    }

    [Fact]
    public async Task Payload_JustUnderLimit_IsStored()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);

        using var response = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = new string('x', (1024 * 1024) - 2) });

        await Expect.StatusAsync(HttpStatusCode.OK, response);
    }

    [Theory]
    [InlineData("{\"payload\": ")]
    [InlineData("not json")]
    [InlineData("{\"other\": 1}")]
    [InlineData("[1,2]")]
    public async Task Payload_InvalidBody_Returns400(string body)
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);

        using var response = await owner.PutAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new StringContent(body, Encoding.UTF8, "application/json"));

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "payload.invalid", response);
    }

    [Fact]
    public async Task Payload_BuiltInWindow_Returns404()
    {
        var owner = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), new { kind = "form" });

        using var response = await owner.PutAsJsonAsync($"/api/cards/{board.Id()}/{window.Id()}/payload", new { payload = 1 });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", response);
    }

    [Fact]
    public async Task Payload_OtherUsersBoard_Returns404()
    {
        var owner = await shared.UserAsync();
        var member = await shared.UserAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var url = $"/api/cards/{board.Id()}/{window.Id()}/payload";

        using var put = await member.PutAsJsonAsync(url, new { payload = "pwned" });
        using var get = await member.GetAsync(url);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", put);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "card.not_found", get);
    }

    /// <summary>A body that declares <paramref name="length"/> bytes, sends its first few and then waits for <paramref name="release"/>.</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly Task release;
        private readonly long length;

        public StalledContent(Task release, long length)
        {
            this.release = release;
            this.length = length;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("{\"payload\":\""u8.ToArray());
            await stream.FlushAsync();
            await release;
        }

        protected override bool TryComputeLength(out long declared)
        {
            declared = length;
            return true;
        }
    }
}
