using System.CommandLine;

namespace Labyrinth.Cli.Features.Audit;

internal static class AuditCommands
{
    public static Command Build(CliContext context)
    {
        var path = new Argument<FileInfo?>("path")
        {
            Description = "The host's SQLite database, or a JSON-lines export (GET /api/admin/audit/export). Omit it to read the PostgreSQL database the host is configured with.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var provider = new Option<string?>("--provider")
        {
            Description = "Sqlite (a file path) or Postgres (read the database at --connection-string). Default: Labyrinth__Database__Provider, as the host reads it.",
        };
        var connection = new Option<string?>("--connection-string")
        {
            Description = "The PostgreSQL connection string. Default: Labyrinth__Database__ConnectionString, as the host reads it.",
        };
        var json = new Option<bool>("--json") { Description = "Print { valid, kind, sequence, entriesChecked, message, head } as JSON." };
        var verify = new Command("verify", """
            Verify the audit log's hash chain and name the first edited, deleted, inserted or reordered entry.
            Reads a SQLite database or an export file, or the host's PostgreSQL database (configured as the host is:
            Labyrinth__Database__Provider=Postgres and Labyrinth__Database__ConnectionString, or --provider/--connection-string).
            Exits 0 when the chain is intact, 1 when it was tampered with. Entries removed from the very end
            cannot be detected from the log alone: compare the printed head hash with one recorded earlier.
            """)
        {
            path, provider, connection, json,
        };
        verify.SetGuardedAction(context, async (parse, ct) =>
        {
            var source = AuditSource.Resolve(
                parse.GetValue(path)?.FullName,
                parse.GetValue(provider) ?? context.Environment("Labyrinth__Database__Provider"),
                parse.GetValue(connection) ?? context.Environment("Labyrinth__Database__ConnectionString"));
            var (entries, kind) = await AuditVerifier.LoadAsync(source, ct);
            var result = Core.Audit.AuditChain.Verify(entries);
            var head = entries.Count > 0 ? entries[^1].Hash : Core.Audit.AuditChain.GenesisHash;
            if (parse.GetValue(json))
            {
                context.WriteJson(new { valid = result.IsValid, kind = result.Kind.ToString().ToLowerInvariant(), sequence = result.Sequence, entriesChecked = result.EntriesChecked, message = result.Message, source = kind, head = result.IsValid ? head : null });
            }
            else if (result.IsValid)
            {
                context.Out.WriteLine($"ok: {entries.Count} entries ({kind}), head {head}");
            }
            else
            {
                context.Error.WriteLine($"tampered ({result.Kind.ToString().ToLowerInvariant()} at entry {result.Sequence}): {result.Message}");
            }

            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
        });

        return new Command("audit", "Work with the plugin governance audit log.") { verify };
    }
}
