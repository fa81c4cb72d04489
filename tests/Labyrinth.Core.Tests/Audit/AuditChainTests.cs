using System.Text;
using Labyrinth.Core.Audit;

namespace Labyrinth.Core.Tests.Audit;

public sealed class AuditChainTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var at = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
        for (var i = 0; i < count; i++)
        {
            entries.Add(AuditChain.Append(entries.LastOrDefault(), at.AddMinutes(i), "admin", i % 2 == 0 ? "plugin.install" : "plugin.enable",
                i == 2 ? null : "com.example.hello", $$"""{"version":"1.0.{{i}}"}"""));
        }

        return entries;
    }

    [Fact]
    public void Append_FirstEntry_StartsAtOneFromGenesis()
    {
        var first = Chain(1)[0];
        Assert.Equal(1, first.Sequence);
        Assert.Equal(new string('0', 64), first.PrevHash);
        Assert.Matches("^[0-9a-f]{64}$", first.Hash);
    }

    [Fact]
    public void ComputeHash_KnownEntry_MatchesDocumentedCanonicalForm()
    {
        var canonical = "labyrinth-audit-v1\n1:1\n28:2026-01-02T03:04:05.0000000Z\n5:admin\n14:plugin.install\n-\n2:{}\n64:" + new string('0', 64) + "\n";
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        var hash = AuditChain.ComputeHash(1, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "admin", "plugin.install", null, "{}", AuditChain.GenesisHash);

        Assert.Equal(expected, hash);
    }

    [Fact]
    public void ComputeHash_TextMovedBetweenFields_Differs() =>
        Assert.NotEqual(
            AuditChain.ComputeHash(1, DateTime.UnixEpoch, "a\nb", "c", null, "{}", AuditChain.GenesisHash),
            AuditChain.ComputeHash(1, DateTime.UnixEpoch, "a", "b\nc", null, "{}", AuditChain.GenesisHash));

    [Fact]
    public void ComputeHash_UnspecifiedKind_TreatedAsUtc()
    {
        var utc = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(
            AuditChain.ComputeHash(1, utc, "a", "b", null, "{}", AuditChain.GenesisHash),
            AuditChain.ComputeHash(1, DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), "a", "b", null, "{}", AuditChain.GenesisHash));
    }

    [Fact]
    public void Verify_UntouchedChain_IsValid()
    {
        var result = AuditChain.Verify(Chain(6));
        Assert.True(result.IsValid);
        Assert.Equal(6, result.EntriesChecked);
    }

    [Fact]
    public void Verify_EmptyChain_IsValid() => Assert.True(AuditChain.Verify([]).IsValid);

    [Fact]
    public void Verify_FieldEdited_ReportsEditedEntry()
    {
        var entries = Chain(5);
        entries[2] = entries[2] with { Actor = "someone-else" };

        var result = AuditChain.Verify(entries);

        Assert.Equal(AuditTamperKind.Edited, result.Kind);
        Assert.Equal(3, result.Sequence);
    }

    [Fact]
    public void Verify_EditedWithRecomputedHash_BreaksTheNextLink()
    {
        var entries = Chain(5);
        var edited = entries[2] with { Action = "plugin.disable" };
        entries[2] = edited with { Hash = AuditChain.ComputeHash(edited) };

        var result = AuditChain.Verify(entries);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.Sequence);
    }

    [Fact]
    public void Verify_MiddleEntryDeleted_ReportsDeleted()
    {
        var entries = Chain(5);
        entries.RemoveAt(2);

        var result = AuditChain.Verify(entries);

        Assert.Equal(AuditTamperKind.Deleted, result.Kind);
        Assert.Equal(3, result.Sequence);
        Assert.Contains("entry 3 is missing", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FirstEntryDeleted_ReportsDeleted()
    {
        var entries = Chain(3);
        entries.RemoveAt(0);
        Assert.Equal(AuditTamperKind.Deleted, AuditChain.Verify(entries).Kind);
    }

    [Fact]
    public void Verify_ForgedEntryInsertedWithDuplicateSequence_ReportsInserted()
    {
        var entries = Chain(5);
        var forged = AuditChain.Append(entries[1], DateTime.UtcNow, "attacker", "trust.add", null, "{}");
        entries.Insert(2, forged);

        var result = AuditChain.Verify(entries);

        Assert.Equal(AuditTamperKind.Inserted, result.Kind);
        Assert.Equal(3, result.Sequence);
    }

    [Fact]
    public void Verify_ForgedEntryNotLinkedToPredecessor_ReportsInserted()
    {
        var entries = Chain(4);
        var forged = AuditChain.Append(null, DateTime.UtcNow, "attacker", "trust.add", null, "{}");
        var relinked = forged with { Sequence = 3, PrevHash = new string('f', 64) };
        entries[2] = relinked with { Hash = AuditChain.ComputeHash(relinked) };

        var result = AuditChain.Verify(entries);

        Assert.Equal(AuditTamperKind.Inserted, result.Kind);
        Assert.Equal(3, result.Sequence);
    }

    [Fact]
    public void Verify_TwoEntriesSwapped_ReportsReordered()
    {
        var entries = Chain(5);
        (entries[1], entries[2]) = (entries[2], entries[1]);

        var result = AuditChain.Verify(entries);

        Assert.Equal(AuditTamperKind.Reordered, result.Kind);
        Assert.Equal(2, result.Sequence);
    }

    [Fact]
    public void WriteRead_JsonLines_RoundTripsAndVerifies()
    {
        var entries = Chain(4);
        entries[1] = AuditChain.Append(entries[0], entries[1].AtUtc, "ädmin \"quoted\"\nline", "plugin.kill", "com.x", "{\"reason\": \"a\\u00e9\"}");
        for (var i = 2; i < entries.Count; i++)
        {
            entries[i] = AuditChain.Append(entries[i - 1], entries[i].AtUtc, entries[i].Actor, entries[i].Action, entries[i].PluginId, entries[i].DetailJson);
        }

        using var ms = new MemoryStream();
        AuditJsonLines.Write(entries, ms);
        var lines = Encoding.UTF8.GetString(ms.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ms.Position = 0;
        var read = AuditJsonLines.Read(ms);

        Assert.Equal(4, lines.Length);
        Assert.Empty(read.Problems);
        Assert.Equal(entries, read.Entries);
        Assert.True(AuditChain.Verify(read.Entries).IsValid);
    }

    [Fact]
    public void Read_ExportWithEditedLine_VerifiesAsEdited()
    {
        using var ms = new MemoryStream();
        AuditJsonLines.Write(Chain(3), ms);
        var text = Encoding.UTF8.GetString(ms.ToArray()).Replace("1.0.1", "9.9.9", StringComparison.Ordinal);

        var read = AuditJsonLines.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(AuditTamperKind.Edited, AuditChain.Verify(read.Entries).Kind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"sequence\":1}")]
    [InlineData("{\"sequence\":1,\"atUtc\":\"2026-01-01T00:00:00.0000000Z\",\"actor\":null,\"action\":\"a\",\"pluginId\":null,\"detailJson\":\"{}\",\"prevHash\":\"0\",\"hash\":\"0\"}")]
    [InlineData("{\"sequence\":\"1\",\"atUtc\":\"2026-01-01T00:00:00.0000000Z\",\"actor\":\"x\",\"action\":\"a\",\"pluginId\":null,\"detailJson\":\"{}\",\"prevHash\":\"0\",\"hash\":\"0\"}")]
    [InlineData("{\"sequence\":1,\"atUtc\":\"yesterday\",\"actor\":\"x\",\"action\":\"a\",\"pluginId\":null,\"detailJson\":\"{}\",\"prevHash\":\"0\",\"hash\":\"0\"}")]
    public void Read_MalformedLine_ReportsLineNumber(string line)
    {
        var read = AuditJsonLines.Read(new MemoryStream(Encoding.UTF8.GetBytes("\n" + line + "\n")));

        Assert.Empty(read.Entries);
        Assert.StartsWith("Line 2:", Assert.Single(read.Problems), StringComparison.Ordinal);
    }
}
