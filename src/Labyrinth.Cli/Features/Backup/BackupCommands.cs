using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Labyrinth.Backup;
using Labyrinth.Core.Storage;

namespace Labyrinth.Cli.Features.Backup;

/// <summary><c>labyrinth backup create | verify | restore</c>: the library does the work; this prints it and picks exit codes.</summary>
internal static class BackupCommands
{
    private const string Protect = "This file holds every secret in decryptable form (database + key ring): keep it as private as the key ring itself.";

    public static Command Build(CliContext context)
    {
        var backup = new Command("backup", "Back up a data directory while the host runs, verify a backup, restore one into an empty directory.");
        backup.Add(Create(context));
        backup.Add(Verify(context));
        backup.Add(Restore(context));
        return backup;
    }

    private static Command Create(CliContext context)
    {
        var data = new Option<DirectoryInfo>("--data") { HelpName = "dir", Description = "The host's data directory (Labyrinth:DataDir), e.g. data.", Required = true };
        var output = new Option<FileInfo>("--out") { HelpName = "file", Description = "The archive to write (never overwritten; created with mode 600), e.g. labyrinth-backup.zip.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the manifest summary as JSON." };
        var create = new Command("create", """
            Write a backup of a data directory into one zip: a consistent snapshot of the database (SQLite's
            online backup API, safe while the host runs), every plugin file and asset the snapshot references,
            and the keys/ folder (the Data Protection key ring that decrypts the vault, and the local publisher
            key), with a manifest holding the SHA-256 of every part and the audit chain's head.
            """)
        {
            data, output, json,
        };
        create.SetGuardedAction(context, async (parse, ct) =>
        {
            var dir = parse.GetRequiredValue(data).FullName;
            var path = parse.GetRequiredValue(output).FullName;
            if (!File.Exists(DataLayout.DatabasePath(dir)))
            {
                throw new CliException(ExitCodes.Usage, $"\"{dir}\" is not a Labyrinth data directory (it has no {DataLayout.DatabaseFile}).");
            }

            var clock = Stopwatch.StartNew();
            var result = await Run(() => BackupFiles.CreateAsync(
                BackupSource.ForDataDirectory(dir, "labyrinth-cli " + Version()), path, message => context.Error.WriteLine("warning: " + message), ct));
            var m = result.Manifest;
            if (parse.GetValue(json))
            {
                context.WriteJson(new { path, bytes = result.ArchiveBytes, seconds = Math.Round(clock.Elapsed.TotalSeconds, 2), manifest = Summary(m) });
            }
            else
            {
                context.Out.WriteLine($"Backed up {dir} to {path} ({BackupFormat.FormatBytes(result.ArchiveBytes)}) in {clock.Elapsed.TotalSeconds:0.0} s");
                WriteSummary(context, m);
                context.Out.WriteLine(Protect);
            }

            return ExitCodes.Ok;
        });
        return create;
    }

    private static Command Verify(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "A backup archive (labyrinth backup create, or Admin → Backups)." };
        var json = new Option<bool>("--json") { Description = "Print { valid, problems: [{ part, message }], warnings, manifest } as JSON." };
        var verify = new Command("verify", """
            Check a backup without restoring it: every part's SHA-256, that the database opens and is the one the
            manifest describes, that its audit chain verifies up to the recorded head, that every file it references
            is in the archive, and the archive's structure (hostile names, links, duplicates, zip bombs).
            Exits 0 when sound, 1 with one sentence per problem naming the part.
            """)
        {
            file, json,
        };
        verify.SetGuardedAction(context, async (parse, ct) =>
        {
            var path = CliApp.RequireFile(parse.GetRequiredValue(file).FullName, "The backup");
            var result = await Run(() => BackupVerifier.VerifyAsync(path, null, ct));
            if (parse.GetValue(json))
            {
                context.WriteJson(new { valid = result.IsValid, problems = result.Problems, warnings = result.Warnings, manifest = result.Manifest is { } m ? Summary(m) : null });
                return result.IsValid ? ExitCodes.Ok : ExitCodes.Failed;
            }

            WriteWarnings(context, result.Warnings);
            if (!result.IsValid)
            {
                WriteProblems(context, "The backup is not sound", result.Problems);
                return ExitCodes.Failed;
            }

            context.Out.WriteLine($"ok: {path}");
            WriteSummary(context, result.Manifest!);
            return ExitCodes.Ok;
        });
        return verify;
    }

    private static Command Restore(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "The backup archive to restore." };
        var data = new Option<DirectoryInfo>("--data") { HelpName = "dir", Description = "An empty or new directory to restore into; point Labyrinth:DataDir at it afterwards.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print { restored, problems, warnings, manifest } as JSON." };
        var restore = new Command("restore", """
            Restore a backup into an empty (or new) directory. Refuses a directory that holds anything, writing
            nothing; verifies the whole archive first (as backup verify does); then writes the database, the key
            ring, the File Registry and the plugin store. On any problem the directory is left empty.
            """)
        {
            file, data, json,
        };
        restore.SetGuardedAction(context, async (parse, ct) =>
        {
            var path = CliApp.RequireFile(parse.GetRequiredValue(file).FullName, "The backup");
            var target = parse.GetRequiredValue(data).FullName;
            var result = await Run(() => BackupRestorer.RestoreAsync(path, target, null, ct));
            if (parse.GetValue(json))
            {
                context.WriteJson(new { restored = result.IsRestored, problems = result.Problems, warnings = result.Warnings, manifest = result.Manifest is { } m ? Summary(m) : null });
                return result.IsRestored ? ExitCodes.Ok : ExitCodes.Failed;
            }

            WriteWarnings(context, result.Warnings);
            if (!result.IsRestored)
            {
                WriteProblems(context, "Nothing was restored", result.Problems);
                return ExitCodes.Failed;
            }

            context.Out.WriteLine($"Restored {path} into {target}");
            WriteSummary(context, result.Manifest!);
            context.Out.WriteLine($"Start the host on it: Labyrinth__DataDir={target} dotnet run --project src/Labyrinth.Host");
            return ExitCodes.Ok;
        });
        return restore;
    }

    /// <summary>A library refusal is a failed check (exit 1) with its sentence.</summary>
    private static async Task<T> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (BackupException ex)
        {
            throw new CliException(ExitCodes.Failed, ex.Message);
        }
    }

    private static void WriteSummary(CliContext context, BackupManifest m)
    {
        context.Out.WriteLine($"  taken      {m.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z by {m.CreatedBy}");
        context.Out.WriteLine($"  database   {BackupFormat.FormatBytes(m.Database.Bytes)} ({m.Database.Provider}, schema {m.Database.SchemaVersion ?? "none"}, {m.Database.Tables.Count} tables)");
        context.Out.WriteLine($"  plugins    {m.Counts.PluginVersions} versions, {m.Counts.PluginFiles} files");
        context.Out.WriteLine($"  assets     {m.Counts.Assets}");
        context.Out.WriteLine($"  blobs      {m.Counts.Blobs} ({BackupFormat.FormatBytes(m.Counts.BlobBytes)})");
        context.Out.WriteLine($"  keys       {m.Counts.KeyFiles} files");
        context.Out.WriteLine($"  audit      {m.Audit.Entries} entries, head {m.Audit.Head}");
    }

    private static void WriteProblems(CliContext context, string title, IReadOnlyList<BackupProblem> problems)
    {
        context.Error.WriteLine($"{title} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):");
        foreach (var problem in problems.Take(50))
        {
            context.Error.WriteLine($"  - {problem.Message}");
        }

        if (problems.Count > 50)
        {
            context.Error.WriteLine($"  … and {problems.Count - 50} more (--json lists them all).");
        }
    }

    private static void WriteWarnings(CliContext context, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            context.Error.WriteLine("warning: " + warning);
        }
    }

    private static object Summary(BackupManifest m) => new
    {
        m.CreatedAt,
        m.CreatedBy,
        database = new { m.Database.Provider, m.Database.Bytes, m.Database.Sha256, m.Database.SchemaVersion, m.Database.Tables },
        audit = m.Audit,
        counts = m.Counts,
    };

    private static string Version()
    {
        var version = typeof(BackupCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return version.Split('+')[0];
    }
}
