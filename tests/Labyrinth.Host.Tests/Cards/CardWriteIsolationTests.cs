using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Cards;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Cards;

/// <summary>
/// Card state writes are committed in batches (group commit). A write whose content the database
/// refuses must fail alone: the writes batched with it are another card's or another person's,
/// and they are saved.
/// </summary>
public sealed class CardWriteIsolationTests
{
    [Fact]
    public async Task CardStateWrites_OneRefusedByTheDatabaseInABatch_OnlyThatWriteFails()
    {
        // The test holds SQLite's write gate to gather the writes into one batch; the split itself
        // is the same code on both engines.
        Assert.SkipWhen(TestDatabase.IsPostgres, "gathers one batch by holding SQLite's write gate");
        await using var app = new LabyrinthApp();
        var owner = await app.SetupAdminAsync();
        var (board, window) = await Boards.SpawnAsync(owner, await LabyrinthApp.CreateBoardAsync(owner), Boards.Hello);
        var boardId = Guid.Parse(board.Id());
        var ownerId = Guid.Parse((string)app.RunSql($"SELECT OwnerId FROM Boards WHERE upper(Id) = upper('{board.Id()}')", scalar: true)!);
        // The engine refusing a value: a trigger plays a constraint the content breaks.
        app.RunSql("CREATE TRIGGER poison_insert BEFORE INSERT ON CardPayloads WHEN instr(NEW.PayloadJson, 'poison') > 0 BEGIN SELECT RAISE(ABORT, 'refused'); END");
        app.RunSql("CREATE TRIGGER poison_update BEFORE UPDATE ON CardPayloads WHEN instr(NEW.PayloadJson, 'poison') > 0 BEGIN SELECT RAISE(ABORT, 'refused'); END");

        var writer = app.Services.GetRequiredService<CardStateWriter>();
        var gate = app.Services.GetRequiredService<SqliteWriteGate>();
        CardStateWrite Write(string value) => new(boardId, window.Id(), ownerId, $$"""{"value":"{{value}}"}""", DateTime.UtcNow);

        Assert.NotNull(await writer.WriteAsync(Write("before")));
        await gate.EnterAsync(CancellationToken.None);
        Task<long?> first, poisoned, second, third;
        try
        {
            // The loop takes the first write and waits for the gate; the next three queue behind it
            // and form the next batch together.
            first = writer.WriteAsync(Write("first"));
            await Eventually.TrueAsync(() => gate.Waiting == 1, "the writer loop waiting for the gate with the first write");
            poisoned = writer.WriteAsync(Write("poison"));
            second = writer.WriteAsync(Write("second"));
            third = writer.WriteAsync(Write("third"));
        }
        finally
        {
            gate.Exit();
        }

        Assert.NotNull(await first);
        await Assert.ThrowsAsync<SqliteException>(() => poisoned);
        Assert.NotNull(await second);
        var last = await third;
        Assert.Equal(last, (long?)Convert.ToInt64(app.RunSql($"SELECT Version FROM CardPayloads WHERE WindowId = '{window.Id()}'", scalar: true), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("third", (string)app.RunSql($"SELECT PayloadJson FROM CardPayloads WHERE WindowId = '{window.Id()}'", scalar: true)!, StringComparison.Ordinal);
    }
}
