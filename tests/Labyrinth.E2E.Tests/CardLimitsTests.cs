using Labyrinth.E2E.Tests.Infrastructure;

namespace Labyrinth.E2E.Tests;

/// <summary>
/// The host publishes the limits a card meets; raising one on the host reaches the page, the frame
/// and the SDK, so a card may really use it.
/// </summary>
public sealed class CardLimitsTests(E2EEnvironment env)
{
    [Fact(Timeout = 180_000)]
    public async Task NoteCard_HostRaisedMaxPayloadBytes_SavesAStateOverOneMiB()
    {
        await using var server = LabyrinthServer.StartNew(new Dictionary<string, string> { ["Labyrinth:MaxPayloadBytes"] = (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var context = await env.NewContextAsync(server);
        try
        {
            var page = await context.NewPageAsync();
            await Ui.CompleteSetupAsync(page, await server.SetupUrlAsync(), "root", "a long enough secret");
            var boardId = await Ui.CreateBoardAsync(page, "Long notes");
            var note = await Ui.SpawnAsync(page, "note");
            var text = string.Concat(Enumerable.Repeat("A long line of the minutes, kept in the note. ", 1536 * 1024 / 47));

            // 1.5 MiB: over the contract's default, under what this host allows.
            await note.FrameLocator("iframe").Locator("textarea").FillAsync(text);

            var saved = await Ui.WaitForPayloadAsync(page, boardId, await Ui.WindowIdAsync(note), p => p.Contains(text[^60..] + "\"", StringComparison.Ordinal), "the 1.5 MiB note");
            Assert.Equal(text, System.Text.Json.JsonDocument.Parse(saved).RootElement.GetProperty("payload").GetProperty("text").GetString());
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
